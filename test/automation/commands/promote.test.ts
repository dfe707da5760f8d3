import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { run } from "../../../automation/cli/entry";
import type { Deps } from "../../../automation/deps";
import {
  baseConfig,
  canaryUrn,
  FakeEngine,
  harness,
  Harness,
  provider,
  recorded,
  trafficUrn,
  stagingShipped,
} from "../fakes";

const STACKS = ["dev", "staging", "prod", "local"];
const SERVICES = ["api-gateway", "calculation-service", "data-service", "cache-service", "audit-service"];

async function cli(h: Harness, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, STACKS, async () => h.deps, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}
function journal(h: Harness, stack: string) {
  return h.deps.state(stack).read();
}
const promoteLocal = ["promote", "--stack", "local", "--version", "1.4.0"];

describe("slipway promote", () => {
  it("walks 10 -> 30 -> 100, then makes the canary stable, in this exact sequence of engine calls", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(h.engine.trace(), [
      "getConfig local",
      "getConfig local",
      "outputs local",
      "outputs local",
      "up local full 1.0.0 canary 1.4.0@10",
      "outputs local",
      "up local targeted 1.0.0 canary 1.4.0@30",
      "outputs local",
      "up local targeted 1.0.0 canary 1.4.0@100",
      "outputs local",
      "up local full 1.4.0 canary none@0",
    ]);
    assert.deepEqual(recorded(h, "local"), {
      stableVersion: "1.4.0",
      serviceVersions: {},
      canaryVersion: "",
      canaryWeight: 0,
      canaryServices: [...SERVICES],
    });
    assert.equal(h.engine.config.get("local")!["slipway:stableVersion"], "1.0.0", "the stack file was written");
    const entries = await journal(h, "local");
    assert.deepEqual(
      entries.map((e) => `${e.action}:${e.event}`),
      [
        "promote:start",
        "step:intent",
        "step:outcome",
        "step:intent",
        "step:outcome",
        "step:intent",
        "step:outcome",
        "finalize:intent",
        "finalize:outcome",
        "promote:end",
      ],
    );
    assert.equal(entries[entries.length - 1].status, "completed");
    assert.ok(h.progress.some((l) => /step 2\/3 weight 30%: verdict pass/.test(l)));
  });

  it("rolls back (weight 0, then the canary scales to zero) and exits 3 when a gate fails at 30", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    h.deps.providers = () => [
      provider(
        (w) => ({ provider: "prometheus", ok: w < 30, detail: w < 30 ? "0.2%" : "error rate 4% > 1%", durationMs: 1 }),
        "prometheus",
      ),
    ];
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 3);
    assert.match(r.err, /rolled back: gates failed at 30%: prometheus: error rate 4% > 1%/);
    assert.deepEqual(h.engine.trace().slice(-3), [
      "up local targeted 1.0.0 canary none@0 rolled-back 1.4.0",
      "outputs local",
      "up local targeted 1.0.0 canary none@0 rolled-back 1.4.0",
    ]);
    assert.equal(recorded(h, "local")!.stableVersion, "1.0.0");
    assert.equal(recorded(h, "local")!.canaryWeight, 0);
    const end = (await journal(h, "local")).pop()!;
    assert.equal(end.status, "rolled-back");
  });

  it("rolls back with weight 0 on the traffic objects first, read from the cluster, then scales the canary Deployments to zero", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    h.deps.providers = () => [
      provider((w) => ({ provider: "kubernetes", ok: w < 30, detail: w < 30 ? "ready" : "0/1 ready", durationMs: 1 })),
    ];
    const order: string[] = [];
    h.engine.beforeUp = (_s, o) => void order.push(`up ${o.release?.canaryWeight}`);
    h.deps.weights = async (q) => {
      const w = (await h.engine.outputs("local")).services as Record<string, { canaryWeight: number }>;
      order.push(`read ${q.services.map((s) => w[s].canaryWeight).join(",")}`);
      return Object.fromEntries(q.services.map((s) => [s, w[s].canaryWeight]));
    };
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 3, r.err);
    const ups = h.engine.calls.filter((c) => c.op === "up");
    const [traffic, scale] = ups.slice(-2);
    assert.deepEqual(
      traffic.targets,
      SERVICES.map(trafficUrn),
      "the first rollback update targets the traffic objects only",
    );
    assert.deepEqual(scale.targets, SERVICES.map(canaryUrn), "the second targets the canary Deployments");
    assert.equal(scale.signal, false, "the rollback is not interruptible");
    assert.deepEqual(
      order.slice(-3),
      ["up 0", "read 0,0,0,0,0", "up 0"],
      "weight 0 read from the cluster before the canary scales",
    );
    for (const u of [traffic, scale]) {
      assert.deepEqual(
        { ...u.release, canaryServices: undefined },
        {
          stableVersion: "1.0.0",
          serviceVersions: {},
          canaryVersion: "",
          canaryWeight: 0,
          canaryServices: undefined,
          rolledBackVersion: "1.4.0",
        },
      );
    }
    assert.equal(recorded(h, "local")!.rolledBackVersion, "1.4.0");
    const rollbacks = (await journal(h, "local"))
      .filter((e) => e.action === "rollback")
      .map((e) => `${e.event}${e.ok === undefined ? "" : `:${e.ok}`}`);
    assert.deepEqual(rollbacks, ["intent", "intent", "outcome:true"]);
  });

  it("replaces a rolled-back canary with the next promotion and clears it when that one completes", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    h.deps.providers = () => [provider((w) => ({ provider: "kubernetes", ok: w < 30, detail: "x", durationMs: 1 }))];
    assert.equal((await cli(h, promoteLocal)).code, 3);
    h.deps.providers = () => [provider()];
    const r = await cli(h, ["promote", "--stack", "local", "--version", "1.5.0"]);
    assert.equal(r.code, 0, r.err);
    const first = h.engine.calls.filter((c) => c.op === "up").at(-4)!;
    assert.deepEqual(
      [first.release!.canaryVersion, first.release!.rolledBackVersion, first.targets],
      ["1.5.0", undefined, undefined],
    );
    assert.deepEqual(recorded(h, "local"), {
      stableVersion: "1.5.0",
      serviceVersions: {},
      canaryVersion: "",
      canaryWeight: 0,
      canaryServices: SERVICES,
    });
  });

  it("treats a provider error as a failed check and rolls back", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    h.deps.providers = () => [provider(() => Promise.reject(new Error("connection refused")))];
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 3);
    assert.match(r.err, /error: connection refused/);
  });

  it("treats a provider timeout as a failed check and rolls back", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    h.deps.providers = () => [provider(() => new Promise(() => undefined))];
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 3);
    assert.match(r.err, /no answer within 200 ms/);
  });

  it("treats an empty answer as a failed check", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    h.deps.providers = () => [{ name: "http", check: async () => undefined as never }];
    assert.equal((await cli(h, promoteLocal)).code, 3);
  });

  it("rolls back when the stack reports a weight other than the step's", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    const engine = h.engine;
    const real = engine.outputs.bind(engine);
    engine.outputs = async (s) => {
      const o = await real(s);
      // Only the step misreports: the rollback after it reads an honest stack.
      if ((o.services as Record<string, { canaryWeight: number }>)["api-gateway"].canaryWeight !== 10) return o;
      return { ...o, services: { ...(o.services as object), "api-gateway": { canaryWeight: 5 } } };
    };
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 3);
    assert.match(r.err, /canary weight other than 10 for api-gateway/);
  });

  it("exits 4 when a mandatory policy refuses a step, after restoring the stable track", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    const { PolicyError } = await import("../../../automation/errors");
    h.engine.beforeUp = (_s, _o, n) => {
      if (n === 0)
        throw new PolicyError("local: policy containers-non-root refused api-gateway-canary: must run as non-root");
    };
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 4);
    assert.equal(recorded(h, "local")!.canaryWeight, 0);
    // The refused spec is never registered again: the canary is cleared in one full update, nothing kept at zero replicas.
    assert.deepEqual(h.engine.trace().slice(-3), [
      "up local full 1.0.0 canary 1.4.0@10",
      "up local full 1.0.0 canary none@0",
      "outputs local",
    ]);
    assert.equal(recorded(h, "local")!.rolledBackVersion, undefined);
  });

  it("after a killed driver, the next promote rolls back first and records it", async () => {
    const h = harness(
      new FakeEngine({
        local: baseConfig("local", { "slipway:canaryVersion": "1.3.0", "slipway:canaryWeight": "30" }),
      }),
    );
    await killedAfterFirstStep(h, "1.3.0");
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 0, r.err);
    const trace = h.engine.trace();
    // The first config read admits the promotion (freeze, approval) before the lock; recovery follows under the lock.
    assert.deepEqual(trace.slice(0, 7), [
      "getConfig local",
      "getConfig local",
      "outputs local",
      "cancel local",
      "settlePendingCreates local",
      "outputs local",
      "up local targeted 1.0.0 canary none@0 rolled-back 1.3.0",
    ]);
    const entries = await journal(h, "local");
    assert.ok(entries.some((e) => e.promotionId === "dead1" && e.status === "recovered: rolled back"));
    assert.ok(h.progress.some((l) => /removed the stale lock of pid/.test(l)));
  });

  it("--resume continues an interrupted promotion after its last completed step", async () => {
    const h = harness(
      new FakeEngine({
        local: baseConfig("local", { "slipway:canaryVersion": "1.4.0", "slipway:canaryWeight": "10" }),
      }),
    );
    await killedAfterFirstStep(h, "1.4.0");
    const r = await cli(h, [...promoteLocal, "--resume"]);
    assert.equal(r.code, 0, r.err);
    const weights = h.engine.calls.filter((c) => c.op === "up").map((c) => c.release!.canaryWeight);
    assert.deepEqual(weights, [30, 100, 0]);
    const entries = await journal(h, "local");
    assert.equal(entries.filter((e) => e.event === "start").length, 1);
    assert.equal(entries[entries.length - 1].promotionId, "dead1");
  });

  it("refuses a promotion of a locked stack with exit 5 and no update", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    const release = await h.deps
      .state("local")
      .acquire(
        { pid: process.pid, host: os.hostname(), startedAt: "x", promotionId: "other", command: "promote" },
        () => undefined,
      );
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 5);
    assert.match(r.err, /locked by promote other/);
    assert.deepEqual(h.engine.trace(), ["getConfig local"]);
    await release();
  });

  it("on SIGINT stops, rolls back without the aborted signal, and exits 3", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    h.engine.beforeUp = (_s, _o, n) => {
      if (n === 1) h.ctl.abort();
    };
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 3);
    assert.match(r.err, /interrupted \(SIGINT\)/);
    const last = h.engine.calls[h.engine.calls.length - 1];
    assert.equal(last.op, "up");
    assert.equal(last.signal, false);
    assert.equal(recorded(h, "local")!.canaryVersion, "");
  });

  it("--skip-canary goes straight to stable in one full update and records the reason", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    const r = await cli(h, [...promoteLocal, "--skip-canary", "--reason", "CVE-2026-1 hotfix"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(h.engine.trace(), [
      "getConfig local",
      "getConfig local",
      "outputs local",
      "outputs local",
      "up local full 1.4.0 canary none@0",
    ]);
    const start = (await journal(h, "local"))[0];
    assert.equal(start.action, "skip-canary");
    assert.equal(start.reason, "CVE-2026-1 hotfix");
  });

  it("--dry-run prints the whole plan, previews the first step and changes nothing", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    const r = await cli(h, [...promoteLocal, "--dry-run", "--steps", "10,50,100"]);
    assert.equal(r.code, 0, r.err);
    const on = "on api-gateway, calculation-service, data-service, cache-service, audit-service";
    assert.equal(
      r.out,
      [
        "dry run: 1.4.0 to local, canary, services api-gateway, calculation-service, data-service, cache-service, audit-service, a step every 0 ms",
        `  1. step 1/3 weight 10%: stable 1.0.0, canary 1.4.0 at 10% ${on} (full update)`,
        `  2. step 2/3 weight 50%: stable 1.0.0, canary 1.4.0 at 50% ${on} (targeted at the release targets the update before exports)`,
        `  3. step 3/3 weight 100%: stable 1.0.0, canary 1.4.0 at 100% ${on} (targeted at the release targets the update before exports)`,
        "  4. stable: stable 1.4.0, no canary (full update)",
        `  on failure: stable 1.0.0, no canary (1.4.0 rolled back, scaled to zero ${on}) (weight 0 targeted at 5 resources, then the canary Deployments scale to zero)`,
        "nothing changed",
        "",
      ].join("\n"),
    );
    assert.deepEqual(h.engine.trace(), ["getConfig local", "outputs local", "preview local 1.0.0 canary 1.4.0@10"]);
    assert.deepEqual(await journal(h, "local"), []);
    assert.equal(recorded(h, "local"), undefined);
  });

  it("records the approver of a prod promotion once staging ran the version", async () => {
    const h = harness(
      new FakeEngine({
        staging: baseConfig("staging", { "slipway:stableVersion": "1.4.0" }),
        prod: baseConfig("prod"),
      }),
    );
    await stagingShipped(h);
    const r = await cli(h, ["promote", "--stack", "prod", "--version", "1.4.0", "--approved-by", "Jane Doe", "--json"]);
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).status, "completed");
    assert.equal((await journal(h, "prod"))[0].approvedBy, "Jane Doe");
  });

  it("refuses staging until dev ran the same version healthily", async () => {
    const h = harness(new FakeEngine({ dev: baseConfig("dev"), staging: baseConfig("staging") }));
    const r = await cli(h, ["promote", "--stack", "staging", "--version", "1.4.0"]);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /staging takes 1.4.0 only after dev ran it healthily, but it has no completed promotion: promote dev first/,
    );
    assert.ok(!h.engine.calls.some((c) => c.op === "up"));
  });

  it("releases a subset of services through serviceVersions", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    const r = await cli(h, [...promoteLocal, "--services", "api-gateway,data-service"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(recorded(h, "local")!.serviceVersions, { "api-gateway": "1.4.0", "data-service": "1.4.0" });
    assert.equal(recorded(h, "local")!.stableVersion, "1.0.0");
  });
});

/** What a driver killed after step 1 leaves: an open promotion and its lock, held by a pid that no longer exists. */
async function killedAfterFirstStep(h: Harness, version: string): Promise<void> {
  const s = h.deps.state("local");
  const at = "2026-11-22T07:00:00Z";
  await s.append({
    at,
    promotionId: "dead1",
    stack: "local",
    event: "start",
    action: "promote",
    version,
    steps: [10, 30, 100],
  });
  await s.append({ at, promotionId: "dead1", stack: "local", event: "intent", action: "step", step: 0, weight: 10 });
  await s.append({ at, promotionId: "dead1", stack: "local", event: "outcome", action: "step", step: 0, ok: true });
  const dir = (s as unknown as { location: string }).location;
  fs.writeFileSync(
    path.join(dir, "lock"),
    JSON.stringify({
      pid: 2 ** 22 + 12345,
      host: os.hostname(),
      startedAt: at,
      promotionId: "dead1",
      command: "promote",
    }),
  );
}

export type { Deps };
