// Which journal entries become which notification events, and what each says.
import { strict as assert } from "assert";
import { NoticeMapper } from "../../../automation/notify/events";
import type { JournalEntry } from "../../../automation/state/store";

const base = { at: "2026-12-01T10:00:00.000Z", promotionId: "p1", stack: "prod" } as const;
const start: JournalEntry = { ...base, event: "start", action: "promote", version: "1.4.0" };

describe("notification events from journal entries", () => {
  const cases: Array<[string, Partial<JournalEntry>, string | undefined, RegExp | undefined]> = [
    [
      "a step that passed",
      { event: "outcome", action: "step", step: 0, weight: 10, ok: true },
      "step-passed",
      /prod: 1\.4\.0 step 1 at 10% passed its gates/,
    ],
    [
      "a failed step",
      {
        event: "outcome",
        action: "step",
        step: 1,
        weight: 30,
        ok: false,
        verdicts: [{ provider: "http", ok: false, detail: "503", durationMs: 1 }],
      },
      "gate-failed",
      /step 2 at 30% failed gate http/,
    ],
    [
      "a rolled-back end",
      { event: "end", action: "promote", status: "rolled-back", detail: "gates failed at 30%" },
      "rolled-back",
      /prod: 1\.4\.0 rolled-back: gates failed at 30%/,
    ],
    ["a failed rollback", { event: "end", action: "promote", status: "failed" }, "rolled-back", /rolled-back/],
    ["a hold", { event: "end", action: "promote", status: "held" }, "held", /held/],
    [
      "a pause for a person",
      { event: "end", action: "promote", status: "paused", detail: "pause after step 1 at 10%" },
      "paused",
      /prod: 1\.4\.0 paused: pause after step 1 at 10%/,
    ],
    [
      "an abort",
      { event: "end", action: "abort", status: "rolled-back", reason: "pager 4711" },
      "aborted",
      /aborted: pager 4711/,
    ],
    [
      "a completed promotion",
      { event: "end", action: "promote", status: "completed" },
      "completed",
      /prod: 1\.4\.0 promoted/,
    ],
    ["a clean drift check", { event: "outcome", action: "drift", status: "clean" }, undefined, undefined],
    ["a step intent", { event: "intent", action: "step", step: 0, weight: 10 }, undefined, undefined],
  ];
  for (const [name, entry, event, summary] of cases)
    it(`${name} -> ${event ?? "no notification"}`, () => {
      const m = new NoticeMapper("https://github.com/acme/slipway/actions/runs/1");
      assert.equal(m.notice(start), undefined);
      const n = m.notice({ ...base, ...entry } as JournalEntry);
      assert.equal(n?.event, event);
      if (summary) assert.match(n!.summary, summary);
      if (n) assert.deepEqual([n.version, n.runUrl], ["1.4.0", "https://github.com/acme/slipway/actions/runs/1"]);
    });
});
