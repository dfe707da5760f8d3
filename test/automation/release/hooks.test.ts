import { strict as assert } from "assert";
import type { HookJob } from "../../../stacks/config";
import { exitCodeOf, HeldError } from "../../../automation/errors";
import { heldError, hold, holdIfIrreversible, hooksDone, runHooks } from "../../../automation/release/hooks";
import { withStackLock } from "../../../automation/state/lock";
import { journal } from "../../../automation/state/journal";
import { irreversibleHookRan, openPromotion } from "../../../automation/state/progress";
import type { JournalEntry } from "../../../automation/state/store";
import { baseConfig, FakeEngine, fakeHooks, harness } from "../fakes";

const hook = (name: string, extra: Partial<HookJob> = {}): HookJob => ({
  name,
  image: "registry.local/pricing:$version",
  timeout: 60_000,
  irreversible: false,
  ...extra,
});
const MIGRATE = hook("migrate", { args: ["upgrade"], irreversible: true });
const CTX = { stack: "local", namespace: "slipway-local", version: "1.4.0", promotionId: "p9" };

function setup(script: Parameters<typeof fakeHooks>[0] = {}) {
  const hooks = fakeHooks(script);
  const h = harness(new FakeEngine({ local: baseConfig("local") }), { hooks, kubeconfigPath: "/tmp/kubeconfig" });
  const note = journal(h.deps, h.deps.state("local"), "local", "p9");
  const entries = () => h.deps.state("local").read();
  return { h, hooks, note, entries };
}

describe("#release-hooks: runHooks", () => {
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

  it("shows each hook, its Job, outcome and duration on stderr as it runs", async () => {
    const { h, note } = setup({ seed: "fail" });
    await runHooks(h.deps, note, "postPromotion", [MIGRATE, hook("seed")], CTX);
    assert.deepEqual(h.progress, [
      "local: postPromotion hook 1/2 migrate (irreversible): starting its Job from registry.local/pricing:1.4.0 (timeout 60000 ms)",
      "local: postPromotion hook 1/2 migrate (irreversible): Job migrate-x7k2p succeeded in 5 ms",
      "local: postPromotion hook 2/2 seed: starting its Job from registry.local/pricing:1.4.0 (timeout 60000 ms)",
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

const at = "2026-11-22T08:00:00Z";
const e = (x: Partial<JournalEntry>): JournalEntry =>
  ({ at, promotionId: "p1", stack: "local", event: "intent", action: "hook", ...x }) as JournalEntry;
const START = e({ event: "start", action: "promote", version: "1.4.0", steps: [10, 30, 100] });

describe("#irreversible-hook-ran: decided from the journal alone", () => {
  it("names the first irreversible hook whose run was ok", () => {
    const entries = [
      START,
      e({ hook: "backup", irreversible: false }),
      e({ event: "outcome", hook: "backup", irreversible: false, ok: true }),
      e({ hook: "migrate", irreversible: true }),
      e({ event: "outcome", hook: "migrate", irreversible: true, ok: true }),
      e({ hook: "migrate-2", irreversible: true }),
      e({ event: "outcome", hook: "migrate-2", irreversible: true, ok: true }),
    ];
    assert.equal(irreversibleHookRan(entries, "p1"), "migrate");
  });

  it("is undefined when the irreversible hook failed, or only reversible hooks ran", () => {
    const entries = [
      START,
      e({ hook: "backup", irreversible: false }),
      e({ event: "outcome", hook: "backup", irreversible: false, ok: true }),
      e({ hook: "migrate", irreversible: true }),
      e({ event: "outcome", hook: "migrate", irreversible: true, ok: false }),
    ];
    assert.equal(irreversibleHookRan(entries, "p1"), undefined);
  });

  it("names an irreversible hook whose run was cut off without an outcome: its Job may have finished", () => {
    assert.equal(irreversibleHookRan([START, e({ hook: "migrate", irreversible: true })], "p1"), "migrate");
  });

  it("looks only at the promotion asked about", () => {
    const entries = [
      START,
      e({ hook: "migrate", irreversible: true }),
      e({ event: "outcome", hook: "migrate", irreversible: true, ok: true }),
      e({ promotionId: "p2", event: "start", action: "promote", version: "1.5.0" }),
    ];
    assert.equal(irreversibleHookRan(entries, "p1"), "migrate");
    assert.equal(irreversibleHookRan(entries, "p2"), undefined);
  });

  it("finds the hooks of a phase that ran ok in a promotion", () => {
    const entries = [
      START,
      e({ event: "outcome", hook: "migrate", phase: "preTraffic", ok: true }),
      e({ event: "outcome", hook: "seed", phase: "preTraffic", ok: false }),
      e({ event: "outcome", hook: "notify", phase: "postPromotion", ok: true }),
    ];
    assert.deepEqual([...hooksDone(entries, "p1", "preTraffic")], ["migrate"]);
  });
});

describe("#hold: traffic stays where it is after an irreversible hook", () => {
  const HOLD = { stack: "prod", version: "1.4.0", weight: 30, hook: "migrate", cause: "gates failed at 30%" };

  it("is an error that exits 3 and says why and what to do", () => {
    const err = heldError(HOLD);
    assert.ok(err instanceof HeldError);
    assert.equal(err.kind, "held");
    assert.equal(exitCodeOf(err), 3);
    assert.equal(
      err.message,
      "prod: 1.4.0 held at 30% after gates failed at 30% (hook migrate is irreversible: the old version may not read the database): " +
        "traffic stays where it is; fix forward with slipway promote --stack prod --version 1.4.0 --resume, " +
        "or route back anyway with slipway abort --stack prod --force",
    );
    assert.deepEqual(err.detail, {
      stack: "prod",
      version: "1.4.0",
      weight: 30,
      hook: "migrate",
      cause: "gates failed at 30%",
    });
  });

  it("a held promotion that is resumed reads as running again, not held, until its next end", () => {
    const held = e({ event: "end", action: "promote", status: "held" });
    const resumed = e({ event: "outcome", action: "recover", status: "resumed", step: 1 });
    assert.equal(openPromotion([START, held])?.status, "held");
    assert.equal(openPromotion([START, held, resumed])?.status, undefined);
    assert.equal(
      openPromotion([START, held, resumed, e({ event: "end", action: "promote", status: "completed" })]),
      undefined,
    );
  });

  it("ends the promotion as held in the journal, and the promotion stays open", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    const state = h.deps.state("local");
    await state.append(START);
    const err = await hold(h.deps, journal(h.deps, state, "local", "p1"), { ...HOLD, stack: "local" });
    assert.ok(err instanceof HeldError);
    const end = (await state.read()).at(-1)!;
    assert.deepEqual(
      [end.event, end.action, end.status, end.ok, end.weight, end.hook],
      ["end", "promote", "held", false, 30, "migrate"],
    );
    assert.equal(openPromotion(await state.read())?.status, "held");
    assert.ok(h.progress.some((l) => /^local: HOLD at 30%: hook migrate is irreversible/.test(l)));
  });

  for (const irreversible of [true, false])
    it(`holdIfIrreversible ${irreversible ? "holds at the record's weight" : "leaves the rollback to the caller"} when the hook that ran is ${irreversible ? "irreversible" : "reversible"}`, async () => {
      const h = harness(
        new FakeEngine({
          local: baseConfig("local", { "slipway:canaryVersion": "1.4.0", "slipway:canaryWeight": "30" }),
        }),
        { hooks: fakeHooks() },
      );
      const held = await withStackLock(h.deps, "local", "promote", async (s) => {
        const note = s.note("p1");
        await note({ event: "start", action: "promote", version: "1.4.0", steps: [10, 30, 100] });
        await runHooks(h.deps, note, "preTraffic", [{ ...MIGRATE, irreversible }], { ...CTX, promotionId: "p1" });
        return holdIfIrreversible(h.deps, s, note, {
          promotionId: "p1",
          version: "1.4.0",
          cause: "gates failed at 30%",
        });
      });
      const last = (await h.deps.state("local").read()).at(-1)!;
      if (!irreversible) {
        assert.equal(held, undefined);
        assert.equal(last.action, "hook");
        return;
      }
      assert.ok(held instanceof HeldError);
      assert.match(
        held.message,
        /^local: 1\.4\.0 held at 30% after gates failed at 30% \(hook migrate is irreversible/,
      );
      assert.deepEqual([last.event, last.status, last.weight], ["end", "held", 30]);
    });

  it("holdIfIrreversible leaves it to the rollback when another job asked to abort it with --force", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }), { hooks: fakeHooks() });
    const held = await withStackLock(h.deps, "local", "promote", async (s) => {
      const note = s.note("p1");
      await note({ event: "start", action: "promote", version: "1.4.0", steps: [10, 30, 100] });
      await runHooks(h.deps, note, "preTraffic", [MIGRATE], { ...CTX, promotionId: "p1" });
      await s.state.requestAbort({ promotionId: "p1", requestedAt: at, by: "jane", force: true });
      return holdIfIrreversible(h.deps, s, note, { promotionId: "p1", version: "1.4.0", cause: "abort requested" });
    });
    assert.equal(held, undefined);
    assert.ok(
      h.progress.includes(
        "local: abort --force by jane: rolling back although hook migrate is irreversible: the old version may not read the database",
      ),
    );
  });
});
