// A promotion's admission: the approval (verified in GitHub Actions, named elsewhere) and the change freeze, decided
// before the lock is taken or anything changes.
import { strict as assert } from "assert";
import { run } from "../../../automation/cli/entry";
import { baseConfig, FakeEngine, harness, Harness, stagingShipped } from "../fakes";
import { ciFor, commit, fakeGithub, FakeGithub, review, TOKEN, workflowRun } from "../release/githubApi";

const STACKS = ["dev", "staging", "prod", "local"];
async function cli(h: Harness, argv: string[]) {
  let out = "";
  let err = "";
  const code = await run(argv, STACKS, async () => h.deps, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}
async function prodReady(extra: Record<string, string> = {}): Promise<Harness> {
  const h = harness(
    new FakeEngine({
      staging: baseConfig("staging", { "slipway:stableVersion": "1.4.0" }),
      prod: baseConfig("prod", extra),
    }),
  );
  await stagingShipped(h);
  return h;
}
const PROMOTE_PROD = ["promote", "--stack", "prod", "--version", "1.4.0"];
const changed = (h: Harness) => h.engine.calls.some((c) => c.op === "up" || c.op === "setConfig");

describe("#approval of a prod promotion", () => {
  let gh: FakeGithub;
  beforeEach(async () => (gh = await fakeGithub()));
  afterEach(() => gh.close());

  it("in GitHub Actions takes the approver from the run's environment review and journals it as verified", async () => {
    const h = await prodReady();
    h.deps.ci = ciFor(gh.url);
    gh.scene = { run: workflowRun("bob"), approvals: [review("carol", "approved")], commit: commit("alice") };
    const r = await cli(h, PROMOTE_PROD);
    assert.equal(r.code, 0, r.err);
    const start = (await h.deps.state("prod").read())[0];
    assert.equal(start.approvedBy, "carol");
    assert.equal(start.evidence?.approval?.verified, true);
    assert.equal(start.evidence?.startedBy, "bob");
    assert.equal(start.evidence?.run?.url, "https://github.com/acme/pricing/actions/runs/9001");
    assert.equal(start.evidence?.commit, ciFor(gh.url).sha);
    assert.ok(!JSON.stringify(await h.deps.state("prod").read()).includes(TOKEN));
  });

  it("in GitHub Actions refuses with exit 1 naming the rule, before any change, when the approver is the run's actor", async () => {
    const h = await prodReady();
    h.deps.ci = ciFor(gh.url);
    gh.scene = { run: workflowRun("bob"), approvals: [review("bob", "approved")] };
    const r = await cli(h, [...PROMOTE_PROD, "--approved-by", "Somebody Else"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /approval refused \(rule four-eyes\): bob started the run/);
    assert.equal(changed(h), false);
    assert.deepEqual(await h.deps.state("prod").read(), []);
  });

  it("in GitHub Actions refuses with exit 1 when the API fails, never falling back to the flag", async () => {
    const h = await prodReady();
    h.deps.ci = ciFor(gh.url);
    gh.scene = { fail: 502 };
    const r = await cli(h, [...PROMOTE_PROD, "--approved-by", "Jane Doe"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /rule verified-approval/);
    assert.equal(changed(h), false);
  });

  it("outside CI takes --approved-by and journals it as unverified", async () => {
    const h = await prodReady();
    const r = await cli(h, [...PROMOTE_PROD, "--approved-by", "Jane Doe"]);
    assert.equal(r.code, 0, r.err);
    const start = (await h.deps.state("prod").read())[0];
    assert.equal(start.approvedBy, "Jane Doe");
    assert.deepEqual(
      { verified: start.evidence?.approval?.verified, source: start.evidence?.approval?.source },
      { verified: false, source: "flag" },
    );
    assert.equal(gh.requests.length, 0);
  });

  it("outside CI refuses prod without --approved-by", async () => {
    const h = await prodReady();
    const r = await cli(h, PROMOTE_PROD);
    assert.equal(r.code, 1);
    assert.match(r.err, /--approved-by is required for prod/);
    assert.equal(changed(h), false);
  });

  it("follows the stack's slipway:approval: no approver asked when requiredReviewers is 0", async () => {
    const h = await prodReady({ "slipway:approval": JSON.stringify({ requiredReviewers: 0 }) });
    h.deps.ci = ciFor(gh.url);
    const r = await cli(h, PROMOTE_PROD);
    assert.equal(r.code, 0, r.err);
    assert.equal(gh.requests.length, 0);
  });

  it("asks dev for no approval by default, in CI or not", async () => {
    const h = harness(new FakeEngine({ dev: baseConfig("dev") }));
    h.deps.ci = ciFor(gh.url);
    const r = await cli(h, ["promote", "--stack", "dev", "--version", "1.4.0"]);
    assert.equal(r.code, 0, r.err);
    assert.equal(gh.requests.length, 0);
  });
});

describe("#freeze of promote, up and status", () => {
  // The fake clock reads 2026-11-22T08:00Z: inside this window (London, GMT).
  const FREEZE = {
    "slipway:freeze": JSON.stringify({
      timeZone: "Europe/London",
      windows: [
        { name: "pricing-model cutover", from: "2026-11-21", until: "2026-11-23T12:00" },
        { name: "month-end close", rrule: "FREQ=MONTHLY;BYMONTHDAY=-1", duration: "P2D" },
      ],
    }),
  };
  const frozen = () => harness(new FakeEngine({ local: baseConfig("local", FREEZE) }));
  const PROMOTE = ["promote", "--stack", "local", "--version", "1.4.0"];

  it("refuses a promotion inside a window with its name and end, before any change", async () => {
    const h = frozen();
    const r = await cli(h, PROMOTE);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /local is frozen: window "pricing-model cutover" runs until 2026-11-23T12:00:00.000\+00:00 \(Europe\/London\)/,
    );
    assert.equal(changed(h), false);
    assert.deepEqual(await h.deps.state("local").read(), []);
  });

  it("--break-glass --reason overrides it, journals the override and flags the result", async () => {
    const h = frozen();
    const r = await cli(h, [...PROMOTE, "--break-glass", "--reason", "INC-4411 pricing outage"]);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /^BREAK-GLASS: freeze "pricing-model cutover" \(until 2026-11-23T12:00:00.000\+00:00\) overridden: INC-4411 pricing outage\n/,
    );
    const start = (await h.deps.state("local").read())[0];
    assert.deepEqual(
      [start.evidence?.breakGlass?.reason, start.evidence?.breakGlass?.window.name],
      ["INC-4411 pricing outage", "pricing-model cutover"],
    );
    const status = await cli(h, ["status", "--stack", "local"]);
    assert.match(status.out, /last promotion: promote 1.4.0 completed \(.*BREAK-GLASS: INC-4411 pricing outage\)/);
    const history = await cli(h, ["history", "--stack", "local"]);
    assert.match(history.out, /BREAK-GLASS over "pricing-model cutover"/);
  });

  it("--break-glass without --reason is refused", async () => {
    const r = await cli(frozen(), [...PROMOTE, "--break-glass"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /--break-glass needs --reason/);
  });

  it("refuses `up` inside a window and lets it through with --break-glass --reason, journaled", async () => {
    const h = frozen();
    const refused = await cli(h, ["up", "--stack", "local"]);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /window "pricing-model cutover"/);
    assert.equal(changed(h), false);
    const r = await cli(h, ["up", "--stack", "local", "--break-glass", "--reason", "restore the config drift"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^BREAK-GLASS: freeze "pricing-model cutover"/);
    assert.equal((await h.deps.state("local").read())[0].evidence?.breakGlass?.reason, "restore the config drift");
  });

  it("status shows the window in force and the next one", async () => {
    const r = await cli(frozen(), ["status", "--stack", "local", "--json"]);
    const s = JSON.parse(r.out)[0];
    assert.equal(s.freeze.active.name, "pricing-model cutover");
    assert.deepEqual([s.freeze.next.name, s.freeze.next.start], ["month-end close", "2026-11-30T00:00:00.000+00:00"]);
    const text = await cli(frozen(), ["status", "--stack", "local"]);
    assert.match(
      text.out,
      /freeze: FROZEN by "pricing-model cutover" until 2026-11-23T12:00:00.000\+00:00; next "month-end close" 2026-11-30T00:00:00.000\+00:00/,
    );
  });
});
