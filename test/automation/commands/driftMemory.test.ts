// Drift with a memory: every check is a journal entry (drifted or clean, what drifted, masked, when, which run); the
// report says first seen, last seen and for how long; `--remediate` asks for --yes outside CI; data-tier resources
// are marked protected; `status` shows the last check.
import { strict as assert } from "assert";
import { run } from "../../../automation/cli/entry";
import { renderDriftMarkdown, renderDriftText } from "../../../automation/report/drift";
import { verifyStack } from "../../../automation/state/integrity";
import type { ResourceChange } from "../../../automation/types";
import { baseConfig, FakeEngine, harness, Harness } from "../fakes";

const HOUR = 3_600_000;

async function cli(h: Harness, argv: string[], env: Record<string, string | undefined> = {}) {
  let out = "";
  let err = "";
  const saved = { CI: process.env.CI, GITHUB_ACTIONS: process.env.GITHUB_ACTIONS };
  Object.assign(process.env, { CI: "", GITHUB_ACTIONS: "" }, env);
  try {
    const code = await run(argv, ["dev", "staging", "prod", "local"], async () => h.deps, {
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
    });
    return { code, out, err };
  } finally {
    Object.assign(process.env, { CI: saved.CI ?? "", GITHUB_ACTIONS: saved.GITHUB_ACTIONS ?? "" });
  }
}

const change = (type: string, name: string, values?: ResourceChange["values"]): ResourceChange => ({
  urn: `urn:pulumi:dev::slipway::${type}::${name}`,
  type,
  name,
  op: "update",
  properties: values ? Object.keys(values) : ["tags"],
  values,
});

/** A harness whose clock moves by an hour per `tick()`; real drift renderers. */
function driftHarness(): Harness & { tick(): void } {
  const h = harness(new FakeEngine({ dev: baseConfig("dev"), prod: baseConfig("prod") }));
  let now = Date.parse("2026-11-20T06:00:00Z");
  h.deps.clock = { now: () => now, sleep: async () => undefined };
  h.deps.renderers.driftText = renderDriftText;
  h.deps.renderers.driftMarkdown = renderDriftMarkdown;
  return Object.assign(h, { tick: () => void (now += 5 * HOUR) });
}

describe("slipway drift: every check journaled", () => {
  it("journals drifted and clean checks with what drifted, masked, when and from which run; the chain verifies", async () => {
    const h = driftHarness();
    h.engine.drift = [
      change("kubernetes:core/v1:Secret", "db", { "stringData.password": { old: "old-pass-1", new: "new-pass-2" } }),
    ];
    assert.equal((await cli(h, ["drift", "--stack", "dev"])).code, 2);
    h.engine.drift = [];
    h.tick();
    assert.equal((await cli(h, ["drift", "--stack", "dev"])).code, 0);
    const entries = (await h.deps.state("dev").read()).filter((e) => e.action === "drift");
    assert.deepEqual(
      entries.map((e) => [e.at, e.status]),
      [
        ["2026-11-20T06:00:00.000Z", "drifted"],
        ["2026-11-20T11:00:00.000Z", "clean"],
      ],
    );
    assert.deepEqual(entries[0].drift!.resources[0].properties, ["stringData.password"]);
    assert.doesNotMatch(JSON.stringify(entries), /old-pass-1|new-pass-2/);
    assert.equal((await verifyStack(h.deps.state("dev"))).ok, true);
  });

  it("says first seen, last seen and for how long, in the text and the Markdown for the issue", async () => {
    const h = driftHarness();
    h.engine.drift = [change("kubernetes:apps/v1:Deployment", "api-gateway-stable")];
    for (let i = 0; i < 3; i++, h.tick()) await cli(h, ["drift", "--stack", "dev", "--markdown", "d.md"]);
    const r = await cli(h, ["drift", "--stack", "dev", "--markdown", "d.md", "--json"]);
    const open = JSON.parse(r.out).history.dev.open;
    assert.deepEqual(open, {
      firstSeen: "2026-11-20T06:00:00.000Z",
      lastSeen: "2026-11-20T21:00:00.000Z",
      forMs: 15 * HOUR,
      checks: 4,
    });
    assert.match(
      h.files.get("d.md")!,
      /Drift first seen 2026-11-20T06:00:00\.000Z, last seen 2026-11-20T21:00:00\.000Z, drifted for 15 h 0 min \(4 checks\)\./,
    );
  });

  it("reports the drift but does not journal it while another command holds the lock", async () => {
    const h = driftHarness();
    const release = await h.deps
      .state("dev")
      .acquire(
        { pid: process.pid, host: h.deps.host.hostname, startedAt: "t", promotionId: "busy", command: "promote" },
        () => undefined,
      );
    h.engine.drift = [change("kubernetes:apps/v1:Deployment", "api-gateway-stable")];
    const r = await cli(h, ["drift", "--stack", "dev", "--json"]);
    await release();
    assert.equal(r.code, 2);
    assert.deepEqual(JSON.parse(r.out).unjournaled, ["dev"]);
    assert.match(h.progress.join("\n"), /dev: drift check not journaled \(.*\); the next check records it/);
  });
});

describe("slipway drift: remediation asks, protected resources, status", () => {
  it("--remediate outside CI shows the drift and refuses without --yes, changing nothing; CI=true needs none", async () => {
    const h = driftHarness();
    h.engine.drift = [change("kubernetes:apps/v1:Deployment", "api-gateway-stable")];
    const asked = await cli(h, ["drift", "--stack", "dev", "--remediate"]);
    assert.equal(asked.code, 1);
    assert.match(h.progress.join("\n"), /~ kubernetes:apps\/v1:Deployment api-gateway-stable/);
    assert.match(asked.err, /--remediate would run an update on dev .*rerun with --yes/);
    assert.ok(!h.engine.calls.some((c) => c.op === "up"));
    assert.equal((await cli(h, ["drift", "--stack", "dev", "--remediate"], { CI: "true" })).code, 0);
    assert.equal((await cli(h, ["drift", "--stack", "dev", "--remediate", "--yes"])).code, 0);
    assert.equal(h.engine.calls.filter((c) => c.op === "up").length, 2);
  });

  it("marks data-tier resources protected in the text, the Markdown, the JSON and the journal", async () => {
    const h = driftHarness();
    h.engine.drift = [change("aws:rds/instance:Instance", "db"), change("kubernetes:core/v1:Service", "api")];
    const r = await cli(h, ["drift", "--stack", "dev", "--markdown", "d.md"]);
    assert.match(r.out, /~ aws:rds\/instance:Instance db \[protected: data tier; --remediate needs --force\]/);
    assert.doesNotMatch(r.out, /Service api \[protected/);
    assert.match(h.files.get("d.md")!, /#### `aws:rds\/instance:Instance` db \(\*\*protected\*\*: data tier/);
    const [entry] = (await h.deps.state("dev").read()).filter((e) => e.action === "drift");
    assert.deepEqual(
      entry.drift!.resources.map((x) => [x.name, x.protected ?? false]),
      [
        ["db", true],
        ["api", false],
      ],
    );
  });

  it("status shows the last drift check: when, and drifted or clean", async () => {
    const h = driftHarness();
    h.engine.drift = [change("kubernetes:apps/v1:Deployment", "api-gateway-stable")];
    await cli(h, ["drift", "--stack", "dev"]);
    const s = await cli(h, ["status", "--stack", "dev"]);
    assert.match(s.out, /last drift check: 2026-11-20T06:00:00\.000Z DRIFTED \(first seen 2026-11-20T06:00:00\.000Z\)/);
    const j = JSON.parse((await cli(h, ["status", "--stack", "dev", "--json"])).out);
    assert.equal(j[0].drift.lastCheck.status, "drifted");
  });
});
