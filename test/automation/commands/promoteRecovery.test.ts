import { strict as assert } from "assert";
import * as os from "os";
import { baseConfig, FakeEngine, harness, recorded, stagingShipped } from "../fakes";
import { cli, journal, killedAfterFirstStep, promoteLocal } from "./promoteKit";

describe("slipway promote: recovery, locks and interrupts", () => {
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
});

describe("slipway promote: skip-canary, dry-run, stages and services", () => {
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
        `  3. step 3/3 weight 100%: stable 1.0.0, canary 1.4.0 at 100% ${on} (full update)`,
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
