// Release hooks inside a promotion: preTraffic after the prepare, postPromotion at the last step, the hold after an
// irreversible hook, and an abort in the bake window. Fake engine, real file backend.
import { strict as assert } from "assert";
import { fakeHooks, Harness, provider, recorded, trafficUrn } from "../fakes";

import { cli, gates, HEALTH, promoteLocal, SERVICES, stack, ups } from "./strategyFixtures";

const MIGRATE = {
  name: "migrate",
  image: "registry.local/slipway/api-gateway:$version",
  args: ["--command", "upgrade"],
};
function withHooks(canary: Record<string, unknown>, hooks: Record<string, unknown>, script = {}) {
  const h = stack(canary, { "slipway:release": JSON.stringify({ hooks }) });
  h.deps.hooks = fakeHooks(script);
  return h;
}
const hookCalls = (h: Harness) =>
  (h.deps.hooks as ReturnType<typeof fakeHooks>).calls.map((c) => `${c.hook}@${c.version}`);

describe("#release-hooks in a promotion: where the hooks run", () => {
  it("runs preTraffic hooks after the prepare at weight 0, postPromotion ones at the last step's traffic, in order", async () => {
    const h = withHooks(
      { steps: [10, 100], bake: "2s", postPromotionAnalysis: [HEALTH] },
      { preTraffic: [MIGRATE], postPromotion: [{ name: "notify", image: "registry.local/notify:1.0.0" }] },
    );
    const order: string[] = [];
    h.engine.beforeUp = (_s, o) => void order.push(`up ${o.release?.canaryWeight}`);
    const script = (h.deps.hooks as ReturnType<typeof fakeHooks>).script as Record<string, unknown>;
    for (const name of ["migrate", "notify"])
      script[name] = async () => (order.push(`hook ${name}`), { ok: true, detail: "succeeded", durationMs: 1 });
    gates(h, () => true);
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(order, ["up 0", "hook migrate", "up 10", "up 100", "hook notify", "up 0"]);
    const hooks = (await h.deps.state("local").read())
      .filter((e) => e.action === "hook")
      .map((e) => `${e.hook}:${e.event}:${e.ok}`);
    assert.deepEqual(hooks, [
      "migrate:intent:undefined",
      "migrate:outcome:true",
      "notify:intent:undefined",
      "notify:outcome:true",
    ]);
  });

  it("stops before any traffic moves when a preTraffic Job fails: no update above weight 0, exit 3", async () => {
    const h = withHooks({ steps: [10, 100] }, { preTraffic: [MIGRATE] }, { migrate: "fail" });
    gates(h, () => true);
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /preTraffic hook migrate failed: Job migrate-x7k2p: the Job failed/);
    assert.ok(!ups(h).some((u) => /@(10|100)$/.test(u)), `traffic moved: ${ups(h).join("; ")}`);
    assert.equal(recorded(h, "local")!.stableVersion, "1.0.0");
  });
});

describe("#release-hooks in a promotion: after an irreversible hook, and an abort in the bake", () => {
  it("holds instead of rolling back when a gate fails after an irreversible hook ran: traffic stays, exit 3", async () => {
    const h = withHooks({ steps: [10, 30, 100] }, { preTraffic: [{ ...MIGRATE, irreversible: true }] });
    gates(h, () => true);
    h.deps.providers = () => [
      provider((w) => ({
        provider: "kubernetes",
        ok: w < 30,
        detail: w < 30 ? "ready" : "2 of 5 pods not ready",
        durationMs: 1,
      })),
    ];
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /held at 30%/);
    assert.match(r.err, /hook migrate is irreversible/);
    assert.match(r.err, /--resume/);
    assert.ok(!ups(h).some((u) => /rolled-back/.test(u)), "a rollback ran after the irreversible hook");
    assert.equal(recorded(h, "local")!.canaryWeight, 30, "traffic did not stay where it was");
    assert.equal((await h.deps.state("local").read()).at(-1)!.status, "held");
    assert.deepEqual(hookCalls(h), ["migrate@1.4.0"]);
  });

  it("rolls back as before when the hook that ran is reversible", async () => {
    const h = withHooks({ steps: [10, 30, 100] }, { preTraffic: [MIGRATE] });
    h.deps.providers = () => [provider((w) => ({ provider: "kubernetes", ok: w < 30, detail: "x", durationMs: 1 }))];
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /rolled back/);
    assert.equal(recorded(h, "local")!.canaryWeight, 0);
  });

  it("an abort in the bake window switches back in one targeted update of the traffic objects", async () => {
    const h = stack({ strategy: "blueGreen", bake: "1h", postPromotionAnalysis: [HEALTH] });
    let asked = false;
    gates(h, (w) => {
      if (w === 100 && !asked) {
        asked = true;
        void h.deps
          .state("local")
          .read()
          .then((e) =>
            h.deps.state("local").requestAbort({ promotionId: e[0].promotionId, requestedAt: "", by: "oncall" }),
          );
      }
      return true;
    });
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 3, r.err);
    assert.deepEqual(ups(h), [
      "up local full 1.0.0 canary 1.4.0@0",
      "up local targeted 1.0.0 canary 1.4.0@100",
      "up local targeted 1.0.0 canary none@0 rolled-back 1.4.0",
      "up local targeted 1.0.0 canary none@0 rolled-back 1.4.0",
    ]);
    const first = h.engine.calls.filter((c) => c.op === "up")[2];
    assert.deepEqual(first.targets, SERVICES.map(trafficUrn));
  });
});
