// Continuing a paused prod promotion in GitHub Actions: the approval is the run's environment review, verified as for
// any prod promotion, and four-eyes counts the person who started the promotion.
import { strict as assert } from "assert";
import { run } from "../../../automation/cli/entry";
import { EXIT } from "../../../automation/errors";
import { baseConfig, FakeEngine, harness, Harness, recorded, stagingShipped } from "../fakes";
import { ciFor, commit, fakeGithub, FakeGithub, review, workflowRun } from "../release/githubApi";

const STACKS = ["dev", "staging", "prod", "local"];
async function cli(h: Harness, argv: string[]) {
  let out = "";
  let err = "";
  const code = await run(argv, STACKS, async () => h.deps, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

/** prod paused at 10% by ann (outside CI, approved by Carol), then a CI job of the same store. */
async function pausedByAnn(gh: FakeGithub): Promise<Harness> {
  const h = harness(
    new FakeEngine({
      staging: baseConfig("staging", { "slipway:stableVersion": "1.4.0" }),
      prod: baseConfig("prod"),
    }),
  );
  await stagingShipped(h);
  h.deps.host = { ...h.deps.host, user: "ann" };
  const argv = ["promote", "--stack", "prod", "--version", "1.4.0", "--steps", "10,pause,100"];
  const r = await cli(h, [...argv, "--approved-by", "carol"]);
  assert.equal(r.code, EXIT.paused, r.err);
  h.deps.ci = ciFor(gh.url);
  return h;
}
const CONTINUE = ["promote", "--stack", "prod", "--continue"];

describe("#pause: continuing prod in GitHub Actions", () => {
  let gh: FakeGithub;
  beforeEach(async () => (gh = await fakeGithub()));
  afterEach(() => gh.close());

  it("continues with a verified review by someone other than the starter, journaled on the continue", async () => {
    const h = await pausedByAnn(gh);
    gh.scene = { run: workflowRun("bob"), approvals: [review("dave", "approved")], commit: commit("alice") };
    const r = await cli(h, CONTINUE);
    assert.equal(r.code, 0, r.err);
    const cont = (await h.deps.state("prod").read()).find((e) => e.action === "continue")!;
    assert.deepEqual(
      [cont.approvedBy, cont.evidence?.approval?.verified, cont.evidence?.startedBy],
      ["dave", true, "bob"],
    );
    assert.equal(recorded(h, "prod")?.stableVersion, "1.4.0");
  });

  it("refuses (exit 1, nothing changed) when the approver is the person who started the promotion", async () => {
    const h = await pausedByAnn(gh);
    gh.scene = { run: workflowRun("bob"), approvals: [review("ann", "approved")], commit: commit("alice") };
    const ups = h.engine.calls.filter((c) => c.op === "up").length;
    const r = await cli(h, CONTINUE);
    assert.equal(r.code, 1);
    assert.match(r.err, /four-eyes\): the approver ann started promotion/);
    assert.equal(h.engine.calls.filter((c) => c.op === "up").length, ups);
    assert.equal(recorded(h, "prod")?.canaryWeight, 10);
  });

  it("refuses when the run's actor is the person who started the promotion", async () => {
    const h = await pausedByAnn(gh);
    h.deps.ci = { ...ciFor(gh.url), actor: "ann" };
    gh.scene = { run: workflowRun("ann"), approvals: [review("dave", "approved")], commit: commit("alice") };
    const r = await cli(h, CONTINUE);
    assert.equal(r.code, 1);
    assert.match(r.err, /four-eyes\): ann started promotion/);
  });

  it("refuses without an approved environment review, as any prod promotion", async () => {
    const h = await pausedByAnn(gh);
    gh.scene = { run: workflowRun("bob"), approvals: [], commit: commit("alice") };
    const r = await cli(h, CONTINUE);
    assert.equal(r.code, 1);
    assert.match(r.err, /environment-review/);
  });
});
