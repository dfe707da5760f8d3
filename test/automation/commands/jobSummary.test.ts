// Job summaries: preview and drift append their report, promote a few escaped lines; nothing without a sink.
import { strict as assert } from "assert";
import { drift } from "../../../automation/commands/drift";
import { preview } from "../../../automation/commands/preview";
import { promoteSummary } from "../../../automation/report/jobSummary";
import { baseConfig, FakeEngine, harness } from "../fakes";

describe("#job summary of preview, drift and promote", () => {
  it("preview and drift append their Markdown report to the job summary", async () => {
    const summary: string[] = [];
    const h = harness(new FakeEngine({ dev: baseConfig("dev") }), { summary: (md) => summary.push(md) });
    await preview(h.deps, { stacks: ["dev"], json: false });
    await drift(h.deps, { stacks: ["dev"], json: false, remediate: false, force: false });
    assert.deepEqual(summary, ["# preview", "# drift 1"]);
  });

  it("escapes what the promote summary shows: no HTML, no link, no mention", () => {
    const md = promoteSummary({
      stack: "dev",
      version: "1.4.0",
      status: "paused",
      steps: [{ step: 0, weight: 10, ok: true, durationMs: 5 }],
      paused: { weight: 10, detail: "<img src=x> [click](https://evil.example) @team" },
      durationMs: 9,
    });
    assert.match(md, /: PAUSED/);
    assert.ok(!md.includes("<img"), md);
    assert.ok(!md.includes("[click](https://"), md);
    assert.ok(!/@team/.test(md), md);
  });
});
