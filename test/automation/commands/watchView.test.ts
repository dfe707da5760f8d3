// What a watch sees at one poll (commands/watchView.ts), as a pure function of the journal, the lock and the pods.
import { strict as assert } from "assert";
import { endCode, watchView, WatchInput } from "../../../automation/commands/watchView";
import type { JournalEntry, LockHolder } from "../../../automation/state/store";

const e = (over: Partial<JournalEntry>): JournalEntry => ({
  at: "2026-11-22T08:00:00.000Z",
  promotionId: "p9",
  stack: "prod",
  event: "intent",
  action: "step",
  ...over,
});
const START = e({ event: "start", action: "promote", version: "1.4.0", steps: [10, 50, 100], intervalMs: 60_000 });
const LOCK: LockHolder = { pid: 1, host: "h", startedAt: "s", promotionId: "p9", command: "promote" };
const input = (entries: JournalEntry[], over: Partial<WatchInput> = {}): WatchInput => ({
  stack: "prod",
  entries,
  lock: LOCK,
  alive: true,
  intervalMs: 5_000,
  bakeMs: 0,
  services: ["api-gateway"],
  ...over,
});

const STATES: Array<[string, WatchInput, string, number | undefined]> = [
  ["a live driver holds the lock", input([START]), "RUNNING", undefined],
  ["its driver is gone", input([START], { alive: false }), "INTERRUPTED", 1],
  [
    "the journal has its end",
    input([START, e({ event: "end", status: "completed" })], { lock: undefined, alive: false }),
    "ENDED",
    0,
  ],
  ["it rolled back", input([START, e({ event: "end", status: "rolled-back" })], { alive: false }), "ENDED", 3],
  ["its last entry is a pause", input([START, e({ action: "pause" as never })]), "PAUSED", 7],
  [
    "it ended and a new driver took the lock",
    input([START, e({ event: "end", status: "completed" })], { lock: { ...LOCK, promotionId: "p10" } }),
    "STARTING",
    undefined,
  ],
  ["the journal has no promotion", input([], { lock: undefined, alive: false }), "NONE", 1],
];

describe("the state a watch reads", () => {
  for (const [when, i, state, code] of STATES)
    it(`is ${state} when ${when}, ending the watch with ${code ?? "nothing yet"}`, () => {
      const v = watchView(i);
      assert.equal(v.state, state);
      assert.equal(endCode(v), code);
    });
});

describe("the step and when the next one is due", () => {
  it("is the step's intent plus the journaled interval (the config's only when the journal has none)", () => {
    const v = watchView(input([START, e({ step: 0, weight: 10, at: "2026-11-22T08:01:00.000Z" })]));
    assert.deepEqual(v.step, { n: 1, of: 3, weight: 10 });
    assert.equal(v.nextStepAt, "2026-11-22T08:02:00.000Z");
    const old = watchView(input([{ ...START, intervalMs: undefined }, e({ step: 0, weight: 10 })]));
    assert.equal(old.nextStepAt, "2026-11-22T08:00:05.000Z");
  });

  it("is due at once after the step's outcome, and never after the last step", () => {
    const out = e({ event: "outcome", step: 0, weight: 10, ok: true, at: "2026-11-22T08:03:00.000Z" });
    assert.equal(watchView(input([START, out])).nextStepAt, "2026-11-22T08:03:00.000Z");
    assert.equal(watchView(input([START, e({ step: 2, weight: 100 })])).nextStepAt, undefined);
  });

  it("survives a journal time that is not a time", () => {
    const v = watchView(input([START, e({ step: 0, weight: 10, at: "yesterday" })]));
    assert.deepEqual([v.step?.n, v.nextStepAt], [1, undefined]);
  });

  it("keeps the last verdict of each gate across steps and the bake", () => {
    const verdict = (provider: string, ok: boolean, value: number) => ({
      provider,
      ok,
      value,
      detail: "",
      durationMs: 1,
    });
    const v = watchView(
      input([
        { ...START, evidence: { gates: [{ provider: "prometheus", max: 0.05 }] } as never },
        e({ event: "outcome", step: 0, verdicts: [verdict("prometheus", true, 0.01), verdict("http", true, 200)] }),
        e({ event: "outcome", action: "bake", verdicts: [verdict("prometheus", false, 0.2)] }),
      ]),
    );
    assert.deepEqual(
      v.gates.map((g) => [g.gate, g.ok, g.value, g.threshold]),
      [
        ["prometheus", false, 0.2, 0.05],
        ["http", true, 200, undefined],
      ],
    );
    assert.equal(v.phase, "bake");
  });
});
