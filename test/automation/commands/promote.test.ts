import { strict as assert } from "assert";
import type { Deps } from "../../../automation/deps";
import { baseConfig, canaryUrn, FakeEngine, harness, provider, recorded, trafficUrn } from "../fakes";
import { cli, journal, promoteLocal, SERVICES } from "./promoteKit";

describe("slipway promote: the canary walk and a failed gate", () => {
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
      "up local full 1.0.0 canary 1.4.0@100",
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
});

describe("slipway promote: the rollback order and the next promotion", () => {
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
    assert.equal(scale.targetDependents, true, "the canary's autoscaler goes with its Deployment");
    assert.equal(traffic.targetDependents, undefined, "the traffic update changes the traffic objects alone");
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
});

describe("slipway promote: failed checks", () => {
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
});

export type { Deps };
