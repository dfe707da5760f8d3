// The release shapes besides the plain canary: blue-green, the bake window, the backup before traffic, and an abort
// asked for from another job while the promotion holds the lock. Fake engine, real file backend.
import { strict as assert } from "assert";
import { baseConfig, FakeEngine, harness, Harness, recorded, stagingShipped, trafficUrn } from "../fakes";

import { cli, gates, HEALTH, promoteLocal, SERVICES, stack, ups } from "./strategyFixtures";

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
      // weight 100 adds the canary's HPA: a full update
      "up local full 1.0.0 canary 1.4.0@100",
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

  // The bake and the analysis after a step are one gate loop: a failed check under failureLimit is asked again.
  for (const [failures, code] of [
    [1, 0],
    [2, 3],
  ] as const)
    it(`${code === 0 ? "asks again after" : "switches back at"} ${failures} failed bake check${failures > 1 ? "s" : ""} with failureLimit 2, as a step's analysis does`, async () => {
      const h = stack({ steps: [100], bake: "5s", failureLimit: 2, postPromotionAnalysis: [HEALTH] });
      const asked: string[] = [];
      gates(h, () => asked.filter((a) => a.startsWith("http")).length > failures, asked);
      const r = await cli(h, promoteLocal);
      assert.equal(r.code, code, r.err);
      assert.ok(h.progress.some((l) => /step 1 failed 1 of 2 allowed checks; asking again/.test(l)));
      const bake = (await h.deps.state("local").read()).filter((e) => e.action === "bake" && e.event === "outcome");
      assert.deepEqual(
        bake.map((e) => e.ok),
        [code === 0],
      );
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
    assert.deepEqual(ups(h).slice(0, 2), ["up prod full 1.0.0 canary 1.4.0@0", "up prod full 1.0.0 canary 1.4.0@100"]);
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
