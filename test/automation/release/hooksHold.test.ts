import { strict as assert } from "assert";
import { exitCodeOf, HeldError } from "../../../automation/errors";
import { heldError, hold, holdIfIrreversible, hooksDone, runHooks } from "../../../automation/release/hooks";
import { withStackLock } from "../../../automation/state/lock";
import { journal } from "../../../automation/state/journal";
import { irreversibleHookRan, openPromotion } from "../../../automation/state/progress";
import type { JournalEntry } from "../../../automation/state/store";
import { baseConfig, FakeEngine, fakeHooks, harness } from "../fakes";
import { CTX, MIGRATE } from "./hookFixtures";

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
});

describe("#hold: holdIfIrreversible", () => {
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
