// Freeze windows that cannot behave are refused when the stack's config is read, each naming its key and the fix.
import { strict as assert } from "assert";
import { parseStackConfig } from "../../../stacks/config";
import { freezeProblems } from "../../../contract/freeze";

const NY = "America/New_York";
const LONDON = "Europe/London";
const cfg = (freeze: unknown) =>
  parseStackConfig("local", { "slipway:stableVersion": "1.0.0", "slipway:freeze": JSON.stringify(freeze) });
const rule = (rrule: string, duration = "PT1H", timeZone?: string) => ({
  windows: [{ name: "w", rrule, duration, ...(timeZone ? { timeZone } : {}) }],
});
const oneOff = (from: string, until: string, timeZone: string) => ({ windows: [{ name: "w", from, until, timeZone }] });

const refused: [string, unknown, RegExp][] = [
  [
    "a zero duration",
    rule("FREQ=DAILY", "PT0S"),
    /windows\[0\]\.duration: "PT0S" is not allowed; set a positive duration/,
  ],
  [
    "a negative duration",
    rule("FREQ=DAILY", "-PT1H"),
    /windows\[0\]\.duration: "-PT1H" is not allowed; set a positive/,
  ],
  ["BYHOUR=24", rule("FREQ=DAILY;BYHOUR=24"), /windows\[0\]\.rrule: .* BYHOUR=24 is out of range: use 0\.\.23/],
  ["BYMINUTE=60", rule("FREQ=DAILY;BYMINUTE=60"), /rrule: .* BYMINUTE=60 is out of range: use 0\.\.59/],
  ["BYSECOND=60", rule("FREQ=DAILY;BYSECOND=60"), /rrule: .* BYSECOND=60 is out of range/],
  ["BYMONTHDAY=32", rule("FREQ=MONTHLY;BYMONTHDAY=32"), /rrule: .* BYMONTHDAY=32 is out of range: use ±1\.\.±31/],
  ["BYMONTHDAY=0", rule("FREQ=MONTHLY;BYMONTHDAY=0"), /rrule: .* BYMONTHDAY=0 is out of range/],
  ["BYMONTH=13", rule("FREQ=YEARLY;BYMONTH=13;BYMONTHDAY=1"), /rrule: .* BYMONTH=13 is out of range: use 1\.\.12/],
  ["BYDAY=6MO in a MONTHLY rule", rule("FREQ=MONTHLY;BYDAY=6MO"), /rrule: .* BYDAY=6\.\.\. is out of range/],
  [
    "a day that no listed month has",
    rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"),
    /rrule: .* never falls in the BYMONTH months/,
  ],
  [
    "FREQ=SECONDLY",
    rule("FREQ=SECONDLY"),
    /rrule: .* FREQ=SECONDLY is finer than a freeze needs: use MINUTELY or coarser/,
  ],
  [
    "MINUTELY with an INTERVAL not dividing 60",
    rule("DTSTART:20260105T000000\nRRULE:FREQ=MINUTELY;INTERVAL=7"),
    /rrule: .* INTERVAL that divides 60/,
  ],
  [
    "COUNT without DTSTART",
    rule("FREQ=DAILY;COUNT=3"),
    /rrule: .* COUNT counts from the rule's start: give the rule a DTSTART/,
  ],
  [
    "INTERVAL without DTSTART",
    rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"),
    /rrule: .* INTERVAL counts from the rule's start: give the rule a DTSTART/,
  ],
  ["a MONTHLY rule with no day", rule("FREQ=MONTHLY;BYHOUR=9"), /rrule: .* a MONTHLY rule needs BYMONTHDAY or BYDAY/],
  ["a WEEKLY rule with no day", rule("FREQ=WEEKLY"), /rrule: .* a WEEKLY rule needs BYDAY/],
  ["a YEARLY rule with no month", rule("FREQ=YEARLY;BYMONTHDAY=1"), /rrule: .* a YEARLY rule needs BYMONTH/],
  [
    "COUNT with UNTIL",
    rule("DTSTART:20260105T000000\nRRULE:FREQ=DAILY;COUNT=3;UNTIL=20260110T000000"),
    /rrule: .* COUNT and UNTIL cannot both be set/,
  ],
  [
    "a DTSTART in UTC",
    rule("DTSTART:20260105T090000Z\nRRULE:FREQ=DAILY"),
    /rrule: .* set DTSTART as a local date-time without Z/,
  ],
  ["a TZID", rule("DTSTART;TZID=Europe/London:20260105T090000\nRRULE:FREQ=DAILY"), /rrule: .* remove TZID/],
  [
    "a DTSTART in the New York spring gap",
    rule("DTSTART:20260308T023000\nRRULE:FREQ=WEEKLY;INTERVAL=2", "PT1H", NY),
    /rrule: .* DTSTART 20260308T023000 does not exist in America\/New_York/,
  ],
  [
    "a DTSTART that is not one of the rule's starts",
    rule("DTSTART:20261102T090000\nRRULE:FREQ=WEEKLY;BYDAY=TU;BYHOUR=9"),
    /rrule: .* DTSTART 20261102T090000 is not one of the rule's own starts/,
  ],
  [
    "a one-off start in the New York spring gap",
    oneOff("2026-03-08T02:30", "2026-03-09", NY),
    /windows\[0\]\.from: "2026-03-08T02:30" is not allowed; it does not exist in America\/New_York \(a daylight-saving gap\)/,
  ],
  [
    "a one-off end in the London spring gap",
    oneOff("2026-03-28", "2026-03-29T01:15", LONDON),
    /windows\[0\]\.until: "2026-03-29T01:15" is not allowed; it does not exist in Europe\/London/,
  ],
  [
    "a one-off that ends where it starts",
    oneOff("2026-11-01T01:30", "2026-11-01T01:30", NY),
    /windows\[0\]\.until: .* set until after from/,
  ],
  [
    "an unknown time zone on a window",
    { windows: [{ name: "w", rrule: "FREQ=DAILY", duration: "PT1H", timeZone: "Mars/Base" }] },
    /windows\[0\]\.timeZone: "Mars\/Base" is not allowed; set an IANA time zone/,
  ],
];

const accepted: [string, unknown][] = [
  [
    "a fortnightly rule with its DTSTART",
    rule("DTSTART:20261102T090000\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "PT2H", LONDON),
  ],
  ["a counted rule with its DTSTART (semicolon form)", rule("DTSTART=20261201T180000;FREQ=DAILY;COUNT=3", "PT1H", NY)],
  ["BYHOUR under MONTHLY", rule("FREQ=MONTHLY;BYMONTHDAY=15;BYHOUR=9,17", "PT30M")],
  ["a minutely rule that divides the hour", rule("FREQ=MINUTELY;BYDAY=SU;BYHOUR=3", "PT1M")],
  ["a one-off across the London autumn fold", oneOff("2026-10-24T00:00", "2026-10-26T00:00", LONDON)],
];

describe("#freeze-config refuses a rule that cannot behave, naming the key and the fix", () => {
  for (const [what, freeze, message] of refused) it(`refuses ${what}`, () => assert.throws(() => cfg(freeze), message));

  for (const [what, freeze] of accepted)
    it(`accepts ${what}`, () => {
      assert.equal(cfg(freeze).freeze.length, 1);
      assert.deepEqual(freezeProblems(freeze as Parameters<typeof freezeProblems>[0]), []);
    });
});
