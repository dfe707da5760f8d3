// Recurring freeze rules evaluated per RFC 5545 from a fixed anchor (the rule's DTSTART), in the window's zone, at
// the instants where they must and must not freeze; and a dense rule answered in bounded time.
import { strict as assert } from "assert";
import type { FreezeWindow } from "../../../stacks/config";
import { activeWindow, nextWindow } from "../../../automation/release/freeze";
import { InputError } from "../../../automation/errors";

const at = (iso: string) => Date.parse(iso);
const NY = "America/New_York";
const LONDON = "Europe/London";
const win = (timeZone: string, rrule: string, duration: string): FreezeWindow => ({
  name: "w",
  timeZone,
  rrule,
  duration,
});

interface Case {
  what: string;
  window: FreezeWindow;
  /** Instants inside a window, with the local start of the occurrence in force. */
  frozen: [string, string][];
  /** Instants outside every occurrence. */
  open: string[];
}

const cases: Case[] = [
  {
    what: "WEEKLY;INTERVAL=2 counts fortnights from its DTSTART, across a change of summer time",
    window: win(LONDON, "DTSTART:20261102T090000\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "PT2H"),
    frozen: [
      ["2026-11-02T09:30:00Z", "2026-11-02T09:00:00.000+00:00"],
      ["2026-11-16T10:59:00Z", "2026-11-16T09:00:00.000+00:00"],
      ["2027-05-03T08:30:00Z", "2027-05-03T09:00:00.000+01:00"],
    ],
    open: ["2026-10-19T09:30:00Z", "2026-11-09T09:30:00Z", "2026-11-16T11:00:00Z", "2027-05-10T08:30:00Z"],
  },
  {
    what: "COUNT=3 freezes the first three days from DTSTART and never again",
    window: win(NY, "DTSTART:20261201T180000\nRRULE:FREQ=DAILY;COUNT=3", "PT1H"),
    frozen: [
      ["2026-12-01T23:30:00Z", "2026-12-01T18:00:00.000-05:00"],
      ["2026-12-02T23:30:00Z", "2026-12-02T18:00:00.000-05:00"],
      ["2026-12-03T23:30:00Z", "2026-12-03T18:00:00.000-05:00"],
    ],
    open: ["2026-11-30T23:30:00Z", "2026-12-04T23:30:00Z", "2027-03-01T23:30:00Z"],
  },
  {
    what: "BYHOUR under MONTHLY starts at each listed hour of the day, in summer and in winter",
    window: win(LONDON, "FREQ=MONTHLY;BYMONTHDAY=15;BYHOUR=9,17", "PT30M"),
    frozen: [
      ["2026-07-15T08:10:00Z", "2026-07-15T09:00:00.000+01:00"],
      ["2026-07-15T16:10:00Z", "2026-07-15T17:00:00.000+01:00"],
      ["2027-01-15T09:10:00Z", "2027-01-15T09:00:00.000+00:00"],
    ],
    open: ["2026-07-15T07:10:00Z", "2026-07-15T08:40:00Z", "2026-07-14T08:10:00Z", "2027-01-15T08:10:00Z"],
  },
  {
    what: "BYHOUR under WEEKLY: Friday 16:00 to Monday 08:00 New York across the start of daylight saving",
    window: win(NY, "FREQ=WEEKLY;BYDAY=FR;BYHOUR=16;BYMINUTE=0", "P2DT16H"),
    frozen: [
      ["2026-03-06T21:00:00Z", "2026-03-06T16:00:00.000-05:00"],
      ["2026-03-09T11:59:00Z", "2026-03-06T16:00:00.000-05:00"],
    ],
    open: ["2026-03-06T20:59:00Z", "2026-03-09T12:00:00Z", "2026-03-11T12:00:00Z"],
  },
  {
    what: "London 01:30 daily: in the spring gap read with the offset before it, in the autumn fold the first",
    window: win(LONDON, "FREQ=DAILY;BYHOUR=1;BYMINUTE=30", "PT30M"),
    frozen: [
      ["2026-03-28T01:45:00Z", "2026-03-28T01:30:00.000+00:00"],
      ["2026-03-29T01:45:00Z", "2026-03-29T02:30:00.000+01:00"],
      ["2026-10-25T00:45:00Z", "2026-10-25T01:30:00.000+01:00"],
    ],
    open: ["2026-03-29T00:45:00Z", "2026-10-25T01:45:00Z"],
  },
  {
    what: "New York 02:30 daily in the spring gap, 01:30 in the autumn fold",
    window: win(NY, "FREQ=DAILY;BYHOUR=2;BYMINUTE=30", "PT1H"),
    frozen: [
      ["2026-03-07T07:45:00Z", "2026-03-07T02:30:00.000-05:00"],
      ["2026-03-08T07:45:00Z", "2026-03-08T03:30:00.000-04:00"],
    ],
    open: ["2026-03-08T06:45:00Z", "2026-03-08T08:30:00Z"],
  },
  {
    what: "New York 01:30 in the autumn fold is the first 01:30 (EDT)",
    window: win(NY, "FREQ=DAILY;BYHOUR=1;BYMINUTE=30", "PT30M"),
    frozen: [["2026-11-01T05:45:00Z", "2026-11-01T01:30:00.000-04:00"]],
    open: ["2026-11-01T06:45:00Z"],
  },
];

describe("#freeze-rules evaluated from a fixed anchor", () => {
  for (const c of cases) {
    describe(c.what, () => {
      for (const [now, start] of c.frozen)
        it(`is frozen at ${now}, in the occurrence that started ${start}`, () =>
          assert.equal(activeWindow([c.window], at(now))?.start, start));
      for (const now of c.open)
        it(`is open at ${now}`, () => assert.equal(activeWindow([c.window], at(now)), undefined));
    });
  }

  it("names the next occurrence of a fortnightly and of a counted rule, and none after the count", () => {
    assert.equal(nextWindow([cases[0].window], at("2026-11-03T00:00:00Z"))?.start, "2026-11-16T09:00:00.000+00:00");
    assert.equal(nextWindow([cases[1].window], at("2026-11-01T00:00:00Z"))?.start, "2026-12-01T18:00:00.000-05:00");
    assert.equal(nextWindow([cases[1].window], at("2026-12-04T00:00:00Z")), undefined);
  });

  it("refuses a malformed rule handed to the evaluator, naming the window, the key and the fix", () => {
    assert.throws(
      () =>
        activeWindow([{ ...win("UTC", "FREQ=DAILY;BYHOUR=24", "PT1H"), name: "night" }], at("2026-01-01T00:00:00Z")),
      (e: Error) =>
        e instanceof InputError &&
        /freeze window "night" rrule: BYHOUR=24 is out of range: use 0\.\.23/.test(e.message),
    );
  });
});

describe("#freeze-rules: dense rules are answered in bounded time", () => {
  const dense: [string, FreezeWindow, string, string | undefined][] = [
    [
      "every minute, decades after its anchor",
      win(NY, "FREQ=MINUTELY", "PT1M"),
      "2046-06-01T12:00:30Z",
      "2046-06-01T08:00:00.000-04:00",
    ],
    [
      "every minute of Sunday 03:00-03:59 held for a week",
      win("UTC", "FREQ=MINUTELY;BYDAY=SU;BYHOUR=3", "P7D"),
      "2026-06-08T12:00:00Z",
      "2026-06-07T03:59:00.000Z",
    ],
    [
      "every hour, with a 30-day hold",
      win(LONDON, "FREQ=HOURLY", "P30D"),
      "2036-01-10T10:20:00Z",
      "2036-01-10T10:00:00.000+00:00",
    ],
    [
      "a minutely rule that never matches now",
      win("UTC", "FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=29", "PT1M"),
      "2026-06-08T12:00:00Z",
      undefined,
    ],
  ];
  for (const [what, w, now, start] of dense) {
    it(`${what}: status and next window in well under a second each`, () => {
      const t0 = process.hrtime.bigint();
      assert.equal(activeWindow([w], at(now))?.start, start);
      assert.ok(nextWindow([w], at(now)) !== undefined || start === undefined);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      assert.ok(ms < 1500, `took ${ms} ms`);
    });
  }
});
