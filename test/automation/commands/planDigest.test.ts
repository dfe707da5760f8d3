// Approve what is shown, apply exactly that: the dry run writes the plan with its digest; the apply recomputes it and
// refuses, before anything changes, when it differs, naming what differs.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { run } from "../../../automation/cli/entry";
import { planDigest, PlanFile } from "../../../automation/release/planDigest";
import { baseConfig, FakeEngine, harness, Harness } from "../fakes";

const STACKS = ["dev", "staging", "prod", "local"];
async function cli(h: Harness, argv: string[]) {
  let out = "";
  let err = "";
  const code = await run(argv, STACKS, async () => h.deps, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}
const PROMOTE = ["promote", "--stack", "local", "--version", "1.4.0"];
const changed = (h: Harness) => h.engine.calls.some((c) => c.op === "up");

/** A local stack and the plan its dry run wrote (through the harness's writeFile). */
async function reviewed(h: Harness, extra: string[] = []): Promise<{ file: PlanFile; text: string; digest: string }> {
  const r = await cli(h, [...PROMOTE, ...extra, "--dry-run", "--plan-out", "plan.json"]);
  assert.equal(r.code, 0, r.err);
  const text = h.files.get("plan.json")!;
  const file = JSON.parse(text) as PlanFile;
  return { file, text, digest: file.digest };
}
function onDisk(text: string): string {
  const p = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "slipway-plan-")), "plan.json");
  fs.writeFileSync(p, text);
  return p;
}

describe("#plan digest: the dry run", () => {
  it("writes the plan, both previews and the SHA-256 of its canonical JSON, and prints the digest", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    const { file, digest } = await reviewed(h);
    assert.match(digest, /^[0-9a-f]{64}$/);
    assert.equal(planDigest(file), digest, "the digest is the document's own");
    assert.deepEqual(file.steps.weights, [10, 30, 100]);
    assert.ok(file.previews.first && file.previews.stable);
    const previews = h.engine.calls.filter((c) => c.op === "preview").map((c) => c.release?.canaryWeight);
    assert.deepEqual(previews, [10, 0], "the first step and the final stable update");
    assert.equal(changed(h), false);
  });

  it("appends the previews and the digest to the job summary", async () => {
    const summary: string[] = [];
    const h = harness(new FakeEngine({ local: baseConfig("local") }), { summary: (md) => summary.push(md) });
    const { digest } = await reviewed(h);
    assert.equal(summary.length, 1);
    assert.ok(summary[0].includes(digest));
    assert.ok(summary[0].includes("# preview"));
  });
});

describe("#plan digest: the apply", () => {
  it("applies when the recomputed plan has the reviewed digest and records it with the plan's link", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    const { digest } = await reviewed(h);
    const url = "https://github.com/acme/pricing/actions/runs/9001/artifacts/1";
    const r = await cli(h, [...PROMOTE, "--plan-digest", digest, "--plan-url", url]);
    assert.equal(r.code, 0, r.err);
    const start = (await h.deps.state("local").read()).find((e) => e.event === "start")!;
    assert.deepEqual(start.evidence?.plan, { digest, url });
    const x = ["audit", "export", "--stack", "local", "--since", "2026-11-01", "--format", "md", "--out", "e.md"];
    assert.equal((await cli(h, x)).code, 0);
    assert.match(h.files.get("e.md")!, new RegExp(`Reviewed plan.*sha256 ${digest}`));
  });

  it("refuses a wrong digest with exit 1 before anything changes", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    const r = await cli(h, [...PROMOTE, "--plan-digest", "0".repeat(64)]);
    assert.equal(r.code, 1);
    assert.match(r.err, /the plan is not the one reviewed/);
    assert.equal(changed(h), false);
    assert.deepEqual(await h.deps.state("local").read(), []);
  });

  const cases: { what: RegExp; apply: string[]; change?: (h: Harness) => void }[] = [
    { what: /steps \(weights, pauses, services or strategy\)/, apply: [...PROMOTE, "--steps", "10,pause,100"] },
    {
      what: /version \(reviewed 1\.4\.0 to local, now 1\.4\.1 to local\)/,
      apply: [...PROMOTE.slice(0, 3), "--version", "1.4.1"],
    },
    {
      what: /stack config/,
      apply: PROMOTE,
      change: (h) =>
        h.engine.config.set("local", baseConfig("local", { "slipway:approval": JSON.stringify({ fourEyes: true }) })),
    },
  ];
  for (const c of cases)
    it(`names what differs from the reviewed plan file: ${c.what.source}`, async () => {
      const h = harness(new FakeEngine({ local: baseConfig("local") }));
      const { text, digest } = await reviewed(h);
      c.change?.(h);
      const r = await cli(h, [...c.apply, "--plan-digest", digest, "--plan-file", onDisk(text)]);
      assert.equal(r.code, 1, r.err);
      assert.match(r.err, c.what);
      assert.equal(changed(h), false);
    });

  it("refuses a plan file changed after it was written", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    const { text, digest } = await reviewed(h);
    const forged = text.replace('"version": "1.4.0"', '"version": "1.4.1"');
    const r = await cli(h, [...PROMOTE, "--steps", "10,100", "--plan-digest", digest, "--plan-file", onDisk(forged)]);
    assert.equal(r.code, 1);
    assert.match(r.err, /was changed after it was written/);
  });
});
