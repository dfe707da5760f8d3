import * as assert from "assert";
import { formatCpu, formatMemory, parseCpu, parseMemory, parseQuantity } from "../../policies/lib/quantity";

describe("quantities", () => {
  const cpu: Array<[unknown, number]> = [
    ["500m", 0.5],
    ["2", 2],
    ["0.5", 0.5],
    ["2000m", 2],
    ["100m", 0.1],
    [".5", 0.5],
    ["1.5", 1.5],
    [2, 2],
    [0.25, 0.25],
    ["250000u", 0.25],
  ];
  for (const [input, cores] of cpu) {
    it(`parses CPU ${JSON.stringify(input)} as ${cores} cores`, () => assert.strictEqual(parseCpu(input), cores));
  }

  const memory: Array<[unknown, number]> = [
    ["1Gi", 2 ** 30],
    ["512Mi", 512 * 2 ** 20],
    ["1536Mi", 1536 * 2 ** 20],
    ["1G", 1e9],
    ["1e9", 1e9],
    ["1E3", 1000],
    ["1E", 1e18],
    ["128974848", 128974848],
    ["129M", 129e6],
    ["123Mi", 123 * 2 ** 20],
    ["64Ki", 65536],
    ["1.5Gi", 1.5 * 2 ** 30],
  ];
  for (const [input, bytes] of memory) {
    it(`parses memory ${JSON.stringify(input)} as ${bytes} bytes`, () => assert.strictEqual(parseMemory(input), bytes));
  }

  for (const bad of ["", "abc", "1Gb", "-1", "1.2.3", "Gi", "1 Gi", "1mi", null, undefined, {}, -2, Number.NaN]) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.strictEqual(parseQuantity(bad), undefined));
  }

  it("compares equal amounts written differently", () => {
    assert.strictEqual(parseCpu("500m"), parseCpu("0.5"));
    assert.strictEqual(parseMemory("1Gi"), parseMemory("1024Mi"));
  });

  it("formats amounts for messages", () => {
    assert.strictEqual(formatCpu(0.25), "250m");
    assert.strictEqual(formatCpu(4), "4");
    assert.strictEqual(formatMemory(16 * 2 ** 30), "16Gi");
    assert.strictEqual(formatMemory(1536 * 2 ** 20), "1536Mi");
    assert.strictEqual(formatMemory(1e9), "1000000000");
  });
});
