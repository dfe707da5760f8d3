import { strict as assert } from "assert";
import type { FreezeWindow } from "../../../stacks/config";
import { parseStackConfig } from "../../../stacks/config";
import { activeWindow, checkFreeze, nextWindow } from "../../../automation/release/freeze";

const at = (iso: string) => Date.parse(iso);
const NY = "America/New_York";
const LONDON = "Europe/London";

// New York leaves daylight saving on 2026-11-01 02:00 (EDT -4 -> EST -5) and enters it on 2026-03-08;
// London enters summer time on 2026-03-29 01:00 UTC and leaves it on 2026-10-25 01:00 UTC.
const monthEnd: FreezeWindow = {
  name: "month-end close",
  timeZone: NY,
  rrule: "FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=18",
  duration: "P3D",
};
const quarterEnd: FreezeWindow = {
  name: "quarter-end close",
  timeZone: LONDON,
  rrule: "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-3",
  duration: "P5D",
};
const marketHours: FreezeWindow = {
  name: "US market hours",
  timeZone: NY,
  rrule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=30",
  duration: "PT6H30M",
};
const yearEnd: FreezeWindow = {
  name: "year-end",
  timeZone: LONDON,
  from: "2026-10-24T00:00",
  until: "2026-10-26T00:00",
};

describe("#freeze-windows", () => {
  describe("month-end close (18:00 New York on the last day, 3 calendar days) across the end of daylight saving", () => {
    it("starts at 18:00 EDT on Oct 31 (22:00 UTC)", () => {
      assert.equal(activeWindow([monthEnd], at("2026-10-31T21:59:00Z")), undefined);
      assert.equal(activeWindow([monthEnd], at("2026-10-31T22:00:00Z"))?.name, "month-end close");
    });
    it("ends at 18:00 EST on Nov 3 (23:00 UTC), not 72 hours later (22:00 UTC)", () => {
      const w = activeWindow([monthEnd], at("2026-11-03T22:30:00Z"));
      assert.equal(w?.end, "2026-11-03T18:00:00.000-05:00");
      assert.equal(activeWindow([monthEnd], at("2026-11-03T23:00:00Z")), undefined);
    });
    it("is outside mid-month", () => assert.equal(activeWindow([monthEnd], at("2026-11-15T12:00:00Z")), undefined));
  });

  describe("quarter-end close (London, from the third-last day, 5 days) across the start of summer time", () => {
    it("starts at 00:00 GMT on Mar 29 and ends at 00:00 BST on Apr 3 (23:00 UTC on Apr 2)", () => {
      assert.equal(activeWindow([quarterEnd], at("2026-03-28T23:59:00Z")), undefined);
      assert.equal(activeWindow([quarterEnd], at("2026-03-29T00:00:00Z"))?.name, "quarter-end close");
      assert.equal(activeWindow([quarterEnd], at("2026-04-02T22:59:00Z"))?.end, "2026-04-03T00:00:00.000+01:00");
      assert.equal(activeWindow([quarterEnd], at("2026-04-02T23:00:00Z")), undefined);
    });
    it("does not fire at the end of a month outside the quarter", () =>
      assert.equal(activeWindow([quarterEnd], at("2026-04-29T12:00:00Z")), undefined));
  });

  describe("market hours (09:30-16:00 New York, weekdays) across the start of daylight saving", () => {
    it("opens at 14:30 UTC on the Friday before the change and 13:30 UTC on the Monday after", () => {
      assert.equal(activeWindow([marketHours], at("2026-03-06T13:45:00Z")), undefined);
      assert.equal(activeWindow([marketHours], at("2026-03-06T14:30:00Z"))?.end, "2026-03-06T16:00:00.000-05:00");
      assert.equal(activeWindow([marketHours], at("2026-03-09T13:45:00Z"))?.end, "2026-03-09T16:00:00.000-04:00");
      assert.equal(activeWindow([marketHours], at("2026-03-09T20:00:00Z")), undefined);
    });
    it("is closed at the weekend", () =>
      assert.equal(activeWindow([marketHours], at("2026-03-07T15:00:00Z")), undefined));
  });

  describe("one-off dates (London) across the end of summer time", () => {
    it("runs from 00:00 BST on Oct 24 (23:00 UTC the day before) to 00:00 GMT on Oct 26", () => {
      assert.equal(activeWindow([yearEnd], at("2026-10-23T22:59:00Z")), undefined);
      assert.equal(activeWindow([yearEnd], at("2026-10-23T23:00:00Z"))?.name, "year-end");
      assert.equal(activeWindow([yearEnd], at("2026-10-25T23:59:00Z"))?.end, "2026-10-26T00:00:00.000+00:00");
      assert.equal(activeWindow([yearEnd], at("2026-10-26T00:00:00Z")), undefined);
    });
  });

  it("names the next window to start, across kinds", () => {
    const next = nextWindow([monthEnd, yearEnd, marketHours], at("2026-10-24T02:00:00Z"));
    assert.deepEqual([next?.name, next?.start], ["US market hours", "2026-10-26T09:30:00.000-04:00"]);
    assert.equal(nextWindow([monthEnd], at("2026-11-03T23:00:00Z"))?.start, "2026-11-30T18:00:00.000-05:00");
    assert.equal(nextWindow([yearEnd], at("2026-10-27T00:00:00Z")), undefined);
  });

  describe("#break-glass", () => {
    it("refuses inside a window, naming it and when it ends", () => {
      assert.throws(
        () => checkFreeze("prod", [monthEnd], at("2026-11-01T12:00:00Z"), undefined),
        /prod is frozen: window "month-end close" runs until 2026-11-03T18:00:00.000-05:00 \(America\/New_York\).*--break-glass --reason/,
      );
    });
    it("refuses --break-glass without a reason", () => {
      assert.throws(
        () => checkFreeze("prod", [monthEnd], at("2026-11-01T12:00:00Z"), {}),
        /--break-glass needs --reason/,
      );
    });
    it("lets --break-glass with a reason through and returns the override to journal", () => {
      const b = checkFreeze("prod", [monthEnd], at("2026-11-01T12:00:00Z"), { reason: "INC-4411" });
      assert.deepEqual([b?.reason, b?.window.name], ["INC-4411", "month-end close"]);
    });
    it("needs nothing outside a window", () =>
      assert.equal(checkFreeze("prod", [monthEnd], at("2026-11-10T12:00:00Z"), undefined), undefined));
  });
});

describe("slipway:freeze and slipway:approval config", () => {
  const cfg = (extra: Record<string, string>) =>
    parseStackConfig("local", { "slipway:stableVersion": "1.0.0", ...extra });
  it("reads windows with the freeze's time zone as default", () => {
    const c = cfg({
      "slipway:freeze": JSON.stringify({
        timeZone: NY,
        windows: [{ name: "m", rrule: "FREQ=DAILY;BYHOUR=9", duration: "PT1H" }, { ...yearEnd }],
      }),
    });
    assert.deepEqual(
      c.freeze.map((w) => w.timeZone),
      [NY, LONDON],
    );
  });
  const bad: [unknown, RegExp][] = [
    [
      { windows: [{ name: "x", rrule: "FREQ=SOMETIMES", duration: "PT1H" }] },
      /slipway:freeze.windows\[0\].rrule: "FREQ=SOMETIMES" is not allowed; set an RRULE/,
    ],
    [
      { windows: [{ name: "x", rrule: "FREQ=DAILY", duration: "1h" }] },
      /windows\[0\].duration: "1h" is not allowed; set an ISO 8601 duration/,
    ],
    [
      { timeZone: "Mars/Olympus", windows: [] },
      /slipway:freeze.timeZone: "Mars\/Olympus" is not allowed; set an IANA time zone/,
    ],
    [{ windows: [{ name: "x", rrule: "FREQ=DAILY" }] }, /a recurring window needs both rrule and duration/],
    [{ windows: [{ name: "x", from: "2026-12-24" }] }, /a one-off window needs both from and until/],
    [
      { windows: [{ name: "x", from: "2026-12-24T00:00Z", until: "2026-12-25" }] },
      /from: "2026-12-24T00:00Z" is not allowed; set a local date/,
    ],
    [{ windows: [{ name: "x", from: "2026-12-24", until: "2026-12-20" }] }, /set until after from/],
  ];
  for (const [value, message] of bad) {
    it(`refuses ${JSON.stringify(value)}`, () =>
      assert.throws(() => cfg({ "slipway:freeze": JSON.stringify(value) }), message));
  }
  it("defaults approval to one reviewer with four-eyes on prod, none elsewhere", () => {
    const prod = parseStackConfig("prod", {
      "slipway:stableVersion": "1.0.0",
      "slipway:imageRepository": "r.local/s",
    }).approval;
    assert.deepEqual(prod, { requiredReviewers: 1, fourEyes: true, environment: "prod" });
    assert.deepEqual(cfg({}).approval, { requiredReviewers: 0, fourEyes: false, environment: "local" });
  });
  it("refuses an approval rule GitHub cannot enforce", () => {
    assert.throws(
      () => cfg({ "slipway:approval": JSON.stringify({ requiredReviewers: 7 }) }),
      /slipway:approval.requiredReviewers: 7 is not allowed; set an integer between 0 and 6/,
    );
  });
});
