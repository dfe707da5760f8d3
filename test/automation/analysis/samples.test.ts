import { strict as assert } from "node:assert";
import { createProviders, runGates } from "../../../automation/analysis";
import { evaluatePrometheusAnswer } from "../../../automation/analysis/prometheus";
import { gateContext, json, serve, TestServer } from "./server";

const vectorOf = (...values: unknown[]) => ({
  status: "success",
  data: { resultType: "vector", result: values.map((value) => ({ metric: {}, value })) },
});
const scalarOf = (result: unknown) => ({ status: "success", data: { resultType: "scalar", result } });

// Each of these answers says nothing about the canary; read as 0 it would pass a `max` of 0.01.
const MALFORMED: Array<[string, unknown, RegExp]> = [
  ["a null sample value", vectorOf([1, null]), /not a finite number/],
  ["an empty string", vectorOf([1, ""]), /not a finite number/],
  ["a blank string", vectorOf([1, "  "]), /not a finite number/],
  ["an empty array as the sample", vectorOf([]), /not a \[time, value\] pair/],
  ["an empty vector", vectorOf(), /empty result/],
  ["a hex number", vectorOf([1, "0x1"]), /"0x1" is not a finite number/],
  ["NaN", vectorOf([1, "NaN"]), /NaN/],
  ["+Inf", vectorOf([1, "+Inf"]), /"\+Inf" is not a finite number/],
  ["-Inf", vectorOf([1, "-Inf"]), /"-Inf" is not a finite number/],
  ["a null scalar", scalarOf(null), /not a \[time, value\] pair/],
  ["a scalar with a null value", scalarOf([1, null]), /not a finite number/],
  ["a result that is not a list", { status: "success", data: { resultType: "vector", result: {} } }, /no result list/],
  ["a word in the value slot", vectorOf([1, "zero"]), /"zero" is not a finite number/],
  ["a number, not Prometheus's string", vectorOf([1, 0]), /0 is not a finite number/],
  ["a sample with no value", { status: "success", data: { resultType: "vector", result: [{ metric: {} }] } }, /pair/],
  ["a bare number as the sample", vectorOf(0), /not a \[time, value\] pair/],
  ["one good and one broken series", vectorOf([1, "0.001"], [1, null]), /not a finite number/],
  ["a boolean", vectorOf([1, false]), /not a finite number/],
];

describe("#prometheus gate: anything but a finite number fails", () => {
  for (const [what, body, reason] of MALFORMED) {
    it(`fails on ${what}, saying why`, () => {
      const f = evaluatePrometheusAnswer(body, 0.01);
      assert.equal(f.ok, false);
      assert.match(f.detail, reason);
    });
  }

  it("still reads well-formed samples, exponent notation included", () => {
    assert.equal(evaluatePrometheusAnswer(vectorOf([1, "1e-3"]), 0.01).ok, true);
    assert.equal(evaluatePrometheusAnswer(vectorOf([1, "-0.5"], [1, ".002"]), 0.01).value, 0.002);
    assert.equal(evaluatePrometheusAnswer(scalarOf([1, "0"]), 0.01).ok, true);
  });
});

describe("#prometheus gate: malformed samples from a server", () => {
  let server: TestServer;
  let body: unknown;
  before(async () => {
    server = await serve((_req, res) => json(res, 200, body));
  });
  after(() => server.close());

  for (const [what, answer, reason] of MALFORMED) {
    it(`gives a failed verdict, never a pass, on ${what}`, async () => {
      body = answer;
      const gates = createProviders([{ provider: "prometheus", url: server.url, query: "up", max: 0.01 }]);
      const [v] = await runGates(gates, gateContext(), { timeoutMs: 2000 });
      assert.equal(v.ok, false, v.detail);
      assert.match(v.detail, reason);
    });
  }
});
