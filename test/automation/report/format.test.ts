// The one formatting of durations in text output (report/format.ts), and ISO 8601 for new --json fields.
import { strict as assert } from "assert";
import { humanDuration, isoDuration, seconds } from "../../../automation/report/format";
import { humanDuration as historyDuration } from "../../../automation/commands/historyTable";

const HUMAN: Array<[number, string]> = [
  [0, "0 ms"],
  [250, "250 ms"],
  [1_200, "1.2 s"],
  [300_000, "5m"],
  [1_800_000, "30m"],
  [5_400_000, "1h 30m"],
  [-1, "-"],
  [NaN, "-"],
];
const ISO: Array<[number, string]> = [
  [0, "PT0S"],
  [1_500, "PT1.5S"],
  [330_000, "PT5M30S"],
  [1_500_000, "PT25M"],
  [3_600_000, "PT1H"],
  [3_723_000, "PT1H2M3S"],
];

describe("durations in text", () => {
  for (const [ms, text] of HUMAN) it(`shows ${ms} ms as "${text}"`, () => assert.equal(humanDuration(ms), text));

  it("is the one function: history's table and the reports' seconds use it", () => {
    assert.equal(historyDuration, humanDuration);
    assert.equal(seconds(300_000), "5m");
    assert.equal(seconds(4_200), "4.2 s");
  });
});

describe("durations in new --json fields", () => {
  for (const [ms, text] of ISO) it(`gives ${ms} ms as ${text}`, () => assert.equal(isoDuration(ms), text));
});
