// Delivery figures from a journal: deployment frequency, lead time (from the commit's time where the repository has
// it, else from the promotion's start), change failure rate and time to restore.
import { strict as assert } from "assert";
import { deliveryReport, duration, figuresOf, promotionsOf, weekStart } from "../../../automation/report/delivery";
import { journalOf, Run } from "./deliveryFixtures";

const H = 3_600_000;
const DAY = 24 * H;

describe("delivery figures from the journal", () => {
  const cases: Array<{
    name: string;
    runs: Run[];
    spanDays: number;
    expect: {
      completed: number;
      perWeek: number;
      cfr?: number;
      leadMs?: number;
      restoreMs?: number;
      unrestored: number;
    };
  }> = [
    {
      name: "two completed promotions in a week: 2 per week, no failure, lead time from the start",
      runs: [
        ["p1", "2026-11-02T10:00:00Z", "2026-11-02T11:00:00Z", "completed"],
        ["p2", "2026-11-04T10:00:00Z", "2026-11-04T13:00:00Z", "completed"],
      ],
      spanDays: 7,
      expect: { completed: 2, perWeek: 2, cfr: 0, leadMs: 2 * H, unrestored: 0 },
    },
    {
      name: "a rollback restored 5 h later and a hold restored 24 h later: a median of 14.5 h",
      runs: [
        ["p1", "2026-11-02T10:00:00Z", "2026-11-02T11:00:00Z", "rolled-back"],
        ["p2", "2026-11-02T15:00:00Z", "2026-11-02T16:00:00Z", "completed"],
        ["p3", "2026-11-03T10:00:00Z", "2026-11-03T11:00:00Z", "held"],
        ["p4", "2026-11-04T10:00:00Z", "2026-11-04T11:00:00Z", "completed"],
      ],
      spanDays: 14,
      expect: { completed: 2, perWeek: 1, cfr: 0.5, leadMs: H, restoreMs: 14.5 * H, unrestored: 0 },
    },
    {
      name: "a failed promotion nothing followed: not restored yet; an open one counts as a promotion",
      runs: [
        ["p1", "2026-11-02T10:00:00Z", "2026-11-02T11:00:00Z", "failed"],
        ["p2", "2026-11-03T10:00:00Z", undefined, undefined],
      ],
      spanDays: 7,
      expect: { completed: 0, perWeek: 0, cfr: 0.5, unrestored: 1 },
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const f = figuresOf(promotionsOf("dev", journalOf("dev", c.runs)), c.spanDays * DAY);
      assert.equal(f.completed, c.expect.completed);
      assert.equal(f.perWeek, c.expect.perWeek);
      assert.equal(f.changeFailureRate, c.expect.cfr);
      assert.equal(f.leadTime?.medianMs, c.expect.leadMs);
      assert.equal(f.timeToRestore?.medianMs, c.expect.restoreMs);
      assert.equal(f.unrestored, c.expect.unrestored);
    });
});

describe("delivery figures: commit times, the window and durations", () => {
  it("measures lead time from the commit's time when the repository has the commit, and says how many", () => {
    const runs = promotionsOf(
      "dev",
      journalOf("dev", [
        ["p1", "2026-11-02T10:00:00Z", "2026-11-02T11:00:00Z", "completed", "abc1234"],
        ["p2", "2026-11-03T10:00:00Z", "2026-11-03T11:00:00Z", "completed", "def5678"],
      ]),
    );
    runs[0].commitAt = "2026-11-01T11:00:00Z";
    const f = figuresOf(runs, 7 * DAY);
    assert.deepEqual(
      { fromCommit: f.leadTime?.fromCommit, fromStart: f.leadTime?.fromStart, mean: f.leadTime?.meanMs },
      { fromCommit: 1, fromStart: 1, mean: (24 * H + H) / 2 },
    );
  });

  it("counts promotions started in the window, weeks from Monday, and restores found after the window", () => {
    const runs = promotionsOf(
      "dev",
      journalOf("dev", [
        ["p1", "2026-10-20T10:00:00Z", "2026-10-20T11:00:00Z", "completed"],
        ["p2", "2026-11-05T10:00:00Z", "2026-11-05T11:00:00Z", "rolled-back"],
        ["p3", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", "completed"],
      ]),
    );
    const r = deliveryReport({
      runs,
      stacks: ["dev"],
      sinceMs: Date.parse("2026-11-01T00:00:00Z"),
      untilMs: Date.parse("2026-11-15T00:00:00Z"),
      generatedAt: "2026-11-15T00:00:00Z",
    });
    assert.equal(r.overall.promotions, 1);
    assert.equal(
      r.overall.timeToRestore?.medianMs,
      Date.parse("2026-12-01T11:00:00Z") - Date.parse("2026-11-05T11:00:00Z"),
    );
    assert.deepEqual(
      r.weeks.map((w) => [w.start, w.completed, w.failed]),
      [
        ["2026-10-26", 0, 0],
        ["2026-11-02", 0, 1],
        ["2026-11-09", 0, 0],
      ],
    );
    assert.equal(new Date(weekStart(Date.parse("2026-11-08T23:00:00Z"))).toISOString(), "2026-11-02T00:00:00.000Z");
  });

  it("shows durations as people read them", () => {
    assert.deepEqual([40_000, 5 * 60_000, 26 * H, 50 * H].map(duration), ["40 s", "5 min", "26 h 0 min", "2 d 2 h"]);
  });
});
