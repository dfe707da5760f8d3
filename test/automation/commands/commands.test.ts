import { strict as assert } from "assert";
import * as os from "os";
import { run } from "../../../automation/cli/entry";
import { FileStackState } from "../../../automation/state/file";
import { baseConfig, FakeEngine, harness, Harness, recorded } from "../fakes";

const STACKS = ["dev", "staging", "prod", "local"];
async function cli(h: Harness, argv: string[]) {
  let out = "";
  let err = "";
  const code = await run(argv, STACKS, async () => h.deps, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}
const drifted = (type: string, name: string) => ({
  urn: `urn:pulumi:dev::slipway::${type}::${name}`,
  type,
  name,
  op: "update" as const,
  properties: ["tags"],
});

describe("slipway drift", () => {
  it("exits 2 on drift and writes the Markdown report", async () => {
    const h = harness(new FakeEngine({ dev: baseConfig("dev") }));
    h.engine.drift = [drifted("kubernetes:apps/v1:Deployment", "api-gateway-stable")];
    const r = await cli(h, ["drift", "--stack", "dev", "--markdown", "drift.md"]);
    assert.equal(r.code, 2);
    assert.equal(r.out, "drift dev:1\n");
    assert.equal(h.files.get("drift.md"), "# drift 1");
  });

  it("exits 0 without drift", async () => {
    const h = harness(new FakeEngine({ dev: baseConfig("dev") }));
    assert.equal((await cli(h, ["drift", "--stack", "dev", "--json"])).code, 0);
  });

  it("--remediate refuses protected data-tier resources unless --force", async () => {
    const h = harness(new FakeEngine({ dev: baseConfig("dev") }));
    h.engine.drift = [drifted("aws:rds/instance:Instance", "db")];
    const refused = await cli(h, ["drift", "--stack", "dev", "--remediate"]);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /protected data-tier resources \(aws:rds\/instance:Instance db\).*--remediate --force/);
    assert.ok(!h.engine.calls.some((c) => c.op === "up"));
    const forced = await cli(h, ["drift", "--stack", "dev", "--remediate", "--force", "--yes"]);
    assert.equal(forced.code, 0, forced.err);
    assert.ok(h.engine.calls.some((c) => c.op === "up"));
  });
});

describe("slipway status, abort, history", () => {
  it("status shows versions, weight, last promotion and the lock holder", async () => {
    const h = harness(
      new FakeEngine({
        local: baseConfig("local", { "slipway:canaryVersion": "1.4.0", "slipway:canaryWeight": "30" }),
      }),
    );
    const r = await cli(h, ["status", "--stack", "local", "--json"]);
    const [s] = JSON.parse(r.out);
    assert.equal(s.stableVersion, "1.0.0");
    assert.equal(s.canaryVersion, "1.4.0");
    assert.equal(s.canaryWeight, 30);
    assert.equal(s.lock, undefined);
  });

  it("abort sets weight 0 in a targeted update, then scales the canary to zero, and records 1.4.0 as rolled back", async () => {
    const h = harness(
      new FakeEngine({
        local: baseConfig("local", { "slipway:canaryVersion": "1.4.0", "slipway:canaryWeight": "30" }),
      }),
    );
    const r = await cli(h, ["abort", "--stack", "local", "--reason", "pager"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(h.engine.trace().slice(-3), [
      "up local targeted 1.0.0 canary none@0 rolled-back 1.4.0",
      "outputs local",
      "up local targeted 1.0.0 canary none@0 rolled-back 1.4.0",
    ]);
    assert.equal(recorded(h, "local")!.canaryVersion, "");
    assert.equal(recorded(h, "local")!.rolledBackVersion, "1.4.0");
    assert.match(
      (await cli(h, ["status", "--stack", "local"])).out,
      /canary none \(1\.4\.0 rolled back, at zero replicas\)/,
    );
    const hist = await cli(h, ["history", "--stack", "local", "--verbose"]);
    assert.match(hist.out, /abort:end.*rolled-back.*reason: pager/);
  });

  it("preview exits 4 on a mandatory violation and still writes both reports", async () => {
    const h = harness(new FakeEngine({ dev: baseConfig("dev") }));
    h.engine.violations = [
      {
        policyPack: "slipway",
        policyName: "containers-non-root",
        level: "mandatory",
        message: "Deployment must run as non-root",
        unverifiable: false,
      },
    ];
    const r = await cli(h, ["preview", "--stack", "dev", "--markdown", "p.md", "--sarif", "p.sarif"]);
    assert.equal(r.code, 4);
    assert.ok(h.files.has("p.md") && h.files.has("p.sarif"));
  });
});

describe("journal lock", () => {
  it("removes a stale lock whose pid is dead on this host", async () => {
    const dir = `${os.tmpdir()}/slipway-lock-${process.pid}-${Date.now()}`;
    const dead = new FileStackState(dir, os.hostname(), () => false);
    await dead.acquire(
      { pid: 1, host: os.hostname(), startedAt: "t", promotionId: "a", command: "promote" },
      () => undefined,
    );
    let stale = "";
    const release = await dead.acquire(
      { pid: 2, host: os.hostname(), startedAt: "t", promotionId: "b", command: "promote" },
      (s) => (stale = s.promotionId),
    );
    assert.equal(stale, "a");
    assert.equal((await dead.holder())?.promotionId, "b");
    await release();
    assert.equal(await dead.holder(), undefined);
  });

  it("never takes over a lock held from another host", async () => {
    const dir = `${os.tmpdir()}/slipway-lock2-${process.pid}-${Date.now()}`;
    const a = new FileStackState(dir, "runner-a", () => false);
    await a.acquire(
      { pid: 1, host: "runner-a", startedAt: "t", promotionId: "a", command: "promote" },
      () => undefined,
    );
    const b = new FileStackState(dir, "runner-b", () => false);
    await assert.rejects(
      b.acquire({ pid: 2, host: "runner-b", startedAt: "t", promotionId: "b", command: "promote" }, () => undefined),
      /locked by promote a/,
    );
  });
});

describe("errors at the entry", () => {
  it("an engine error reaches stderr with every cause the provider listed, and exits 1", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    const { EngineError } = await import("../../../automation/errors");
    h.engine.beforeUp = () => {
      throw new EngineError(
        "local: api-gateway-stable: 2 errors occurred:\n  * timed out waiting to be Ready\n\n  * Minimum number of live Pods was not attained\n",
      );
    };
    const r = await cli(h, ["up", "--stack", "local"]);
    assert.equal(r.code, 1);
    assert.equal(
      r.err,
      "slipway: local: api-gateway-stable: 2 errors occurred:\n  * timed out waiting to be Ready\n  * Minimum number of live Pods was not attained\n",
    );
  });

  it("an engine dump is cut to 20 lines, saying how many more there were", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    h.engine.beforeUp = () => {
      throw new Error(Array.from({ length: 50 }, (_, i) => `line ${i + 1}`).join("\n"));
    };
    const r = await cli(h, ["up", "--stack", "local"]);
    const lines = r.err.trimEnd().split("\n");
    assert.equal(lines.length, 21);
    assert.equal(lines[19], "line 20");
    assert.equal(lines[20], "(30 more lines)");
  });
});
