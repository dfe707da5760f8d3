// The release shapes besides the plain canary: blue-green, the bake window, the backup before traffic, and an abort
// asked for from another job while the promotion holds the lock. Fake engine, real file backend.
import { strict as assert } from "assert";
import { run } from "../../../automation/cli/entry";
import type { AnalysisSpec } from "../../../automation/deps";
import {
  baseConfig,
  FakeEngine,
  fakeHooks,
  harness,
  Harness,
  provider,
  recorded,
  stagingShipped,
  trafficUrn,
} from "../fakes";

const STACKS = ["dev", "staging", "prod", "local"];
const SERVICES = ["api-gateway", "calculation-service", "data-service", "cache-service", "audit-service"];
const HEALTH = { provider: "http", url: "http://api-gateway.slipway-local.svc/health" };

async function cli(h: Harness, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, STACKS, async () => h.deps, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

function stack(canary: Record<string, unknown>, extra: Record<string, string> = {}): Harness {
  return harness(
    new FakeEngine({
      local: baseConfig("local", { "slipway:canary": JSON.stringify({ interval: "1s", ...canary }), ...extra }),
    }),
  );
}

/** Gates per spec: the step analysis passes, the http gate (the post-promotion one here) follows `healthy`. */
function gates(h: Harness, healthy: (weight: number) => boolean, asked: string[] = []) {
  h.deps.providers = (specs: AnalysisSpec[]) =>
    specs.map((s) =>
      s.provider === "http"
        ? provider((w) => {
            asked.push(`http@${w}`);
            return { provider: "http", ok: healthy(w), detail: healthy(w) ? "UP" : "DOWN", durationMs: 1 };
          }, "http")
        : provider(
            (w) => (
              asked.push(`kubernetes@${w}`),
              { provider: "kubernetes", ok: true, detail: "ready", durationMs: 1 }
            ),
          ),
    );
}

const promoteLocal = ["promote", "--stack", "local", "--version", "1.4.0"];
const ups = (h: Harness) => h.engine.trace().filter((t) => t.startsWith("up "));

describe("#blue-green", () => {
  it("deploys the new version at weight 0, gates it, switches in one targeted update, bakes, then finalizes", async () => {
    const h = stack({ strategy: "blueGreen", bake: "3s", postPromotionAnalysis: [HEALTH] });
    const asked: string[] = [];
    gates(h, () => true, asked);
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(ups(h), [
      "up local full 1.0.0 canary 1.4.0@0",
      "up local targeted 1.0.0 canary 1.4.0@100",
      "up local full 1.4.0 canary none@0",
    ]);
    assert.equal(asked[0], "kubernetes@0", "the pre-promotion gates run at weight 0, before the switch");
    assert.ok(asked.includes("http@100"), "the post-promotion gates run during the bake at 100%");
    const entries = (await h.deps.state("local").read()).map((e) => `${e.action}:${e.event}`);
    assert.deepEqual(entries, [
      "promote:start",
      "prepare:intent",
      "prepare:outcome",
      "prepare:outcome",
      "step:intent",
      "step:outcome",
      "bake:intent",
      "bake:outcome",
      "finalize:intent",
      "finalize:outcome",
      "promote:end",
    ]);
    assert.equal(recorded(h, "local")!.stableVersion, "1.4.0");
  });

  it("stops before any traffic moves when the pre-promotion gates fail: weight stays 0, the new version scales away", async () => {
    const h = stack({ strategy: "blueGreen", analysis: [HEALTH] });
    gates(h, (w) => w > 0);
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /pre-promotion gates failed at weight 0: http: DOWN/);
    assert.ok(!ups(h).some((u) => /@100/.test(u)), "no update ever moved traffic");
    assert.deepEqual(ups(h).slice(-2), [
      "up local targeted 1.0.0 canary none@0 rolled-back 1.4.0",
      "up local targeted 1.0.0 canary none@0 rolled-back 1.4.0",
    ]);
  });

  it("switches back in one targeted update of the traffic objects when a post-promotion gate fails in the bake", async () => {
    const h = stack({ strategy: "blueGreen", bake: "10s", postPromotionAnalysis: [HEALTH] });
    gates(h, () => false);
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /rolled back: post-promotion gates failed in the bake window: http: DOWN/);
    const calls = h.engine.calls.filter((c) => c.op === "up");
    assert.deepEqual(
      calls.at(-2)!.targets,
      SERVICES.map(trafficUrn),
      "the switch back touches the traffic objects only",
    );
    assert.equal(calls.at(-2)!.release!.canaryWeight, 0);
    assert.equal(recorded(h, "local")!.stableVersion, "1.0.0", "the old version is stable again");
    assert.equal(recorded(h, "local")!.rolledBackVersion, "1.4.0");
    const bake = (await h.deps.state("local").read())
      .filter((e) => e.action === "bake")
      .map((e) => `${e.event}:${e.ok}`);
    assert.deepEqual(bake, ["intent:undefined", "outcome:false"]);
  });
});

describe("#bake-window", () => {
  it("keeps the previous version scaled after the last canary step for the bake, with the post-promotion gates", async () => {
    const h = stack({ steps: [10, 100], bake: "5s", postPromotionAnalysis: [HEALTH] });
    const asked: string[] = [];
    gates(h, () => true, asked);
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(ups(h), [
      "up local full 1.0.0 canary 1.4.0@10",
      "up local targeted 1.0.0 canary 1.4.0@100",
      "up local full 1.4.0 canary none@0",
    ]);
    assert.ok(asked.filter((a) => a === "http@100").length >= 2, "gates asked every interval through the 5 s window");
  });

  it("rolls back at once when another job asks for an abort during the bake", async () => {
    const h = stack({ steps: [100], bake: "1h", postPromotionAnalysis: [HEALTH] });
    let n = 0;
    gates(h, () => {
      // A second runner's `slipway abort` writes the request while this one bakes.
      if (++n === 2)
        void h.deps
          .state("local")
          .read()
          .then((e) =>
            h.deps.state("local").requestAbort({
              promotionId: e[0].promotionId,
              requestedAt: new Date().toISOString(),
              by: "octocat",
              reason: "latency report",
            }),
          );
      return true;
    });
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /abort requested by octocat: latency report/);
    assert.equal(recorded(h, "local")!.stableVersion, "1.0.0");
    assert.equal(recorded(h, "local")!.canaryWeight, 0);
  });

  it("finalizes at once with no bake configured (dev's default)", async () => {
    const h = stack({ steps: [100] });
    gates(h, () => true);
    assert.equal((await cli(h, promoteLocal)).code, 0);
    assert.ok(!(await h.deps.state("local").read()).some((e) => e.action === "bake"));
  });
});

describe("#backup-before-traffic", () => {
  it("journals the snapshot the prepare update took on prod before the first traffic step", async () => {
    const h = harness(
      new FakeEngine({
        staging: baseConfig("staging", { "slipway:stableVersion": "1.4.0" }),
        prod: baseConfig("prod", { "slipway:canary": '{"steps":[100],"interval":"1s"}' }),
      }),
    );
    await stagingShipped(h);
    gates(h, () => true);
    const r = await cli(h, ["promote", "--stack", "prod", "--version", "1.4.0", "--approved-by", "Jane Doe"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(ups(h).slice(0, 2), [
      "up prod full 1.0.0 canary 1.4.0@0",
      "up prod targeted 1.0.0 canary 1.4.0@100",
    ]);
    const backup = (await h.deps.state("prod").read()).find((e) => e.action === "backup");
    assert.equal(backup?.detail, "snapshot slipway-prod-release-1-4-0");
  });

  it("on the local stack says there is no database to snapshot and takes no extra update", async () => {
    const h = stack({ steps: [100] }, { "slipway:release": '{"backup":true}' });
    gates(h, () => true);
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 0, r.err);
    assert.ok(h.progress.some((l) => /the local stack has no database; nothing to snapshot/.test(l)));
    assert.equal(ups(h)[0], "up local full 1.0.0 canary 1.4.0@100");
  });
});

describe("#abort-while-promoting", () => {
  async function locked(h: Harness) {
    const state = h.deps.state("local");
    await state.acquire(
      {
        pid: process.pid,
        host: h.deps.host.hostname,
        startedAt: new Date().toISOString(),
        promotionId: "p-run",
        command: "promote",
      },
      () => undefined,
    );
    return state;
  }

  it("asks the promotion that holds the stack to roll back and reports its answer from the journal", async () => {
    const h = stack({});
    const state = await locked(h);
    // The promoting runner: sees the request at its next check and ends rolled back.
    const answer = (async () => {
      for (let i = 0; i < 1000 && (await state.abortRequest()) === undefined; i++)
        await new Promise((r) => setImmediate(r));
      const req = await state.abortRequest();
      assert.equal(req?.promotionId, "p-run");
      assert.equal(req?.reason, "p95 over budget");
      await state.append({
        at: new Date().toISOString(),
        promotionId: "p-run",
        stack: "local",
        event: "end",
        action: "promote",
        status: "rolled-back",
        version: "1.4.0",
      });
    })();
    const r = await cli(h, ["abort", "--stack", "local", "--reason", "p95 over budget", "--json"]);
    await answer;
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).rolledBack, true);
    assert.equal(h.engine.calls.filter((c) => c.op === "up").length, 0, "the abort itself updated nothing");
  });

  it("exits 5 naming the promotion when it does not answer in time", async () => {
    const h = stack({});
    await locked(h);
    const r = await cli(h, ["abort", "--stack", "local"]);
    assert.equal(r.code, 5);
    assert.match(r.err, /promotion p-run did not answer the abort within 15 min/);
  });
});

describe("#release-hooks in a promotion", () => {
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
