// The prometheus gate tells "no series matched" apart from a bad value, so `onNoData: pause` can hold the promotion
// for a person instead of failing it; everything else still fails as before.
import { strict as assert } from "assert";
import { prometheusProvider, evaluatePrometheusAnswer } from "../../../automation/analysis/prometheus";
import { gateContext, json, serve } from "./server";

const vector = (values: string[]) => ({
  status: "success",
  data: { resultType: "vector", result: values.map((v) => ({ metric: {}, value: [1, v] })) },
});

describe("#prometheus: no data, told apart", () => {
  const TABLE: Array<[string, unknown, boolean | undefined]> = [
    ["an empty vector", vector([]), true],
    ["a value over max", vector(["2"]), undefined],
    ["a failed query", { status: "error", errorType: "bad_data", error: "parse error" }, undefined],
  ];
  for (const [what, body, noData] of TABLE)
    it(`${what}: noData ${String(noData)}`, () => {
      const f = evaluatePrometheusAnswer(body, 1);
      assert.equal(f.ok, false);
      assert.equal(f.noData, noData);
    });

  it("carries noData into the verdict of the provider over HTTP", async () => {
    const s = await serve((_req, res) => json(res, 200, vector([])));
    try {
      const v = await prometheusProvider({ url: s.url, query: "up", max: 1 }).check(
        gateContext(),
        new AbortController().signal,
      );
      assert.deepEqual([v.ok, v.noData], [false, true]);
    } finally {
      await s.close();
    }
  });
});
