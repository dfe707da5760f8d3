import { strict as assert } from "assert";
import { runHooks } from "../../../automation/release/hooks";
import { journal } from "../../../automation/state/journal";
import { irreversibleHookRan } from "../../../automation/state/progress";
import type { JournalEntry } from "../../../automation/state/store";
import { baseConfig, FakeEngine, harness } from "../fakes";
import { CTX, hook, MIGRATE, setup } from "./hookFixtures";

describe("#release-hooks: runHooks runs the phase's hooks", () => {
  it("runs the phase's hooks in order in the stack's namespace with the release's version", async () => {
    const { h, hooks, note } = setup();
    const r = await runHooks(h.deps, note, "preTraffic", [MIGRATE, hook("seed")], CTX);
    assert.deepEqual(r, { ok: true, detail: "preTraffic hooks ran ok: migrate, seed" });
    assert.deepEqual(hooks.calls, [
      {
        stack: "local",
        namespace: "slipway-local",
        version: "1.4.0",
        kubeconfigPath: "/tmp/kubeconfig",
        hook: "migrate",
        irreversible: true,
      },
      {
        stack: "local",
        namespace: "slipway-local",
        version: "1.4.0",
        kubeconfigPath: "/tmp/kubeconfig",
        hook: "seed",
        irreversible: false,
      },
    ]);
  });

  it("stops at the first failure: the later hooks do not run, and it names the failed hook", async () => {
    const { h, hooks, note } = setup({ seed: "fail" });
    const r = await runHooks(h.deps, note, "preTraffic", [MIGRATE, hook("seed"), hook("warm")], CTX);
    assert.equal(r.ok, false);
    assert.equal(r.failed, "seed");
    assert.match(r.detail, /^preTraffic hook seed failed: Job seed-x7k2p: the Job failed \(BackoffLimitExceeded/);
    assert.deepEqual(
      hooks.calls.map((c) => c.hook),
      ["migrate", "seed"],
    );
  });

  it("shows each hook, its Job, outcome and duration on stderr as it runs", async () => {
    const { h, note } = setup({ seed: "fail" });
    await runHooks(h.deps, note, "postPromotion", [MIGRATE, hook("seed")], CTX);
    assert.deepEqual(h.progress, [
      "local: postPromotion hook 1/2 migrate (irreversible): starting its Job from registry.local/pricing:1.4.0 (timeout 1m)",
      "local: postPromotion hook 1/2 migrate (irreversible): Job migrate-x7k2p succeeded in 5 ms",
      "local: postPromotion hook 2/2 seed: starting its Job from registry.local/pricing:1.4.0 (timeout 1m)",
      "local: postPromotion hook 2/2 seed: Job seed-x7k2p FAILED in 5 ms: Job seed-x7k2p: the Job failed (BackoffLimitExceeded: Job has reached the specified backoff limit)",
    ]);
  });

  it("never journals or prints the value of an env entry whose name says secret", async () => {
    const secret = "hunter2-very-secret";
    const leaky = hook("migrate", { env: { DB_PASSWORD: secret, DB_HOST: "db.local" } });
    const { h, note, entries } = setup({
      migrate: () => ({ ok: false, detail: `psql: auth failed for password ${secret} at db.local`, durationMs: 3 }),
    });
    const r = await runHooks(h.deps, note, "preTraffic", [leaky], CTX);
    const everything = JSON.stringify(await entries()) + h.progress.join("\n") + r.detail;
    assert.ok(!everything.includes(secret), everything);
    assert.match(everything, /auth failed for password \[secret\] at db\.local/);
  });
});

describe("#release-hooks: runHooks journals every run", () => {
  it("journals an intent before and an outcome after every run, with phase, irreversibility, ok, detail and duration", async () => {
    const { h, note, entries } = setup({ seed: "fail" });
    await runHooks(h.deps, note, "preTraffic", [MIGRATE, hook("seed")], CTX);
    // Without the time stamp and the hash chain the file store adds.
    const hookEntries = (await entries()).map((x) => {
      const { at: _at, chain: _chain, ...rest } = x as JournalEntry & { chain?: unknown };
      return rest;
    });
    assert.deepEqual(hookEntries, [
      {
        promotionId: "p9",
        stack: "local",
        event: "intent",
        action: "hook",
        hook: "migrate",
        phase: "preTraffic",
        irreversible: true,
        version: "1.4.0",
        detail: "preTraffic hook migrate: Job from registry.local/pricing:1.4.0",
      },
      {
        promotionId: "p9",
        stack: "local",
        event: "outcome",
        action: "hook",
        hook: "migrate",
        phase: "preTraffic",
        irreversible: true,
        version: "1.4.0",
        ok: true,
        detail: "Job migrate-x7k2p: the Job succeeded (1 pod(s) completed)",
        durationMs: 5,
      },
      {
        promotionId: "p9",
        stack: "local",
        event: "intent",
        action: "hook",
        hook: "seed",
        phase: "preTraffic",
        irreversible: false,
        version: "1.4.0",
        detail: "preTraffic hook seed: Job from registry.local/pricing:1.4.0",
      },
      {
        promotionId: "p9",
        stack: "local",
        event: "outcome",
        action: "hook",
        hook: "seed",
        phase: "preTraffic",
        irreversible: false,
        version: "1.4.0",
        ok: false,
        detail: "Job seed-x7k2p: the Job failed (BackoffLimitExceeded: Job has reached the specified backoff limit)",
        durationMs: 5,
      },
    ]);
  });
});

describe("#release-hooks: runHooks when a runner throws, is missing, or the run is resumed or interrupted", () => {
  it("records a runner that throws as a failed run, with its outcome journaled", async () => {
    const { h, note, entries } = setup({
      migrate: () => {
        throw new Error("cluster unreachable");
      },
    });
    const r = await runHooks(h.deps, note, "preTraffic", [MIGRATE], CTX);
    assert.deepEqual([r.ok, r.failed], [false, "migrate"]);
    const outcome = (await entries()).find((e) => e.event === "outcome")!;
    assert.equal(outcome.ok, false);
    assert.equal(outcome.detail, "cluster unreachable");
    assert.equal(irreversibleHookRan(await entries(), "p9"), undefined);
  });

  it("fails, naming why, when the driver has no hook runner", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    const r = await runHooks(
      h.deps,
      journal(h.deps, h.deps.state("local"), "local", "p9"),
      "preTraffic",
      [MIGRATE],
      CTX,
    );
    assert.deepEqual(r, {
      ok: false,
      failed: "migrate",
      detail: "preTraffic hook migrate failed: no Job runner is wired into this driver",
    });
  });

  it("does not run again a hook that ran ok earlier in the same promotion (held, then resumed)", async () => {
    const { h, hooks, note } = setup({ seed: "fail" });
    await runHooks(h.deps, note, "preTraffic", [MIGRATE, hook("seed")], CTX);
    hooks.script.seed = "ok";
    const r = await runHooks(h.deps, note, "preTraffic", [MIGRATE, hook("seed")], CTX);
    assert.equal(r.ok, true);
    assert.deepEqual(
      hooks.calls.map((c) => c.hook),
      ["migrate", "seed", "seed"],
    );
    assert.ok(
      h.progress.includes(
        "local: preTraffic hook 1/2 migrate (irreversible): ran ok earlier in this promotion (journal); not run again",
      ),
    );
    // Another promotion runs every hook.
    await runHooks(h.deps, note, "preTraffic", [MIGRATE], { ...CTX, promotionId: "p10" });
    assert.equal(hooks.calls.at(-1)!.hook, "migrate");
  });

  it("starts no Job once the driver is interrupted (SIGINT)", async () => {
    const { h, hooks, note, entries } = setup();
    h.ctl.abort();
    const r = await runHooks(h.deps, note, "preTraffic", [MIGRATE], CTX);
    assert.deepEqual(r, { ok: false, failed: "migrate", detail: "interrupted before preTraffic hook migrate ran" });
    assert.equal(hooks.calls.length, 0);
    assert.deepEqual(await entries(), []);
  });

  it("runs nothing for a phase without hooks", async () => {
    const { h, hooks, note } = setup();
    assert.deepEqual(await runHooks(h.deps, note, "postPromotion", [], CTX), {
      ok: true,
      detail: "no postPromotion hooks",
    });
    assert.equal(hooks.calls.length, 0);
  });
});
