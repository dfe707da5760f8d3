// Freeze windows (`slipway:freeze`), defined once for the config reader (stacks/config.ts) and the evaluator
// (automation/release/freeze.ts): the window's shape, the parse of its RFC 5545 rule with a fixed anchor (the rule's
// own DTSTART, a local date-time read in the window's zone, or DEFAULT_ANCHOR), and the checks that refuse what
// cannot behave, each naming the key and the fix. Pure: no I/O; rrule and luxon are loaded on first use, so a stack
// without a freeze pays nothing for them.
import type { DateTime as LuxonDateTime, Duration as LuxonDuration } from "luxon";
import type { Options as RRuleOptions } from "rrule";

/** A change freeze: recurring (an RFC 5545 RRULE and a duration) or one-off (from/until), in a time zone. */
export interface FreezeWindowSpec {
  name: string;
  /** IANA zone the rule or dates are read in, e.g. America/New_York. */
  timeZone: string;
  /** RRULE text (a DTSTART, read in timeZone, anchors it), e.g. FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=18; each occurrence starts a window. */
  rrule?: string;
  /** ISO 8601 duration of each occurrence, e.g. PT6H30M or P3D (calendar days in the zone). */
  duration?: string;
  /** One-off window: local date-times in the zone, e.g. 2026-12-24T00:00 and 2027-01-04T00:00. */
  from?: string;
  until?: string;
}

/** The anchor of a rule without DTSTART: 2000-01-03T00:00:00 local (a Monday), never "now". */
export const DEFAULT_ANCHOR = "20000103T000000";
/** Largest COUNT: a counted rule is iterated from its DTSTART. */
export const MAX_COUNT = 1000;
/** Largest INTERVAL. */
export const MAX_INTERVAL = 1000;

export interface Problem {
  /** Key under the freeze, e.g. ["windows", 0, "rrule"]. */
  path: (string | number)[];
  /** The fix. */
  message: string;
}

export class FreezeRuleError extends Error {
  constructor(
    readonly key: "rrule" | "duration" | "from" | "until" | "timeZone",
    message: string,
  ) {
    super(message);
  }
}

const lib = () => ({
  rrule: require("rrule") as typeof import("rrule"),
  luxon: require("luxon") as typeof import("luxon"),
});

export function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return lib().luxon.DateTime.fromMillis(0).setZone(zone).isValid;
  } catch {
    return false;
  }
}

/** A floating date (wall-clock fields held in UTC, as rrule works) from compact or ISO local text. */
function floatingOf(text: string): Date | undefined {
  const m = /^(\d{4})-?(\d\d)-?(\d\d)(?:T(\d\d):?(\d\d)(?::?(\d\d))?)?$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0));
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  const back = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours()];
  const ok = back.join() === [y, mo, d, h].join() && mi < 60 && s < 60;
  return ok ? date : undefined;
}

/**
 * The instant of a local wall-clock time (a floating date) in `zone`, per RFC 5545 3.3.5: a time in a daylight-saving
 * gap is read with the offset before the gap; a time that occurs twice is the first. `gap` says which happened.
 */
export function localInstant(floating: Date, zone: string): { at: LuxonDateTime; gap: boolean } {
  const { DateTime } = lib().luxon;
  const wall = floating.getTime();
  const offsets = [-1, 0, 1].map((dd) => DateTime.fromMillis(wall + dd * 86_400_000, { zone }).offset);
  const fits = [...new Set(offsets)]
    .map((o) => DateTime.fromMillis(wall - o * 60_000, { zone }))
    .filter((t) => t.toMillis() + t.offset * 60_000 === wall)
    .sort((a, b) => a.toMillis() - b.toMillis());
  if (fits.length > 0) return { at: fits[0], gap: false };
  return { at: DateTime.fromMillis(wall - offsets[0] * 60_000, { zone }), gap: true };
}

export interface ParsedRule {
  /** rrule options with the anchor as dtstart (floating) and every default RFC 5545 takes from DTSTART explicit. */
  options: Partial<RRuleOptions>;
  anchor: Date;
  /** The anchor came from the rule's DTSTART. */
  anchored: boolean;
  duration: LuxonDuration;
}

const RANGES: [keyof RRuleOptions, string, number, number, boolean][] = [
  ["bysecond", "BYSECOND", 0, 59, false],
  ["byminute", "BYMINUTE", 0, 59, false],
  ["byhour", "BYHOUR", 0, 23, false],
  ["bymonthday", "BYMONTHDAY", 1, 31, true],
  ["byyearday", "BYYEARDAY", 1, 366, true],
  ["byweekno", "BYWEEKNO", 1, 53, true],
  ["bymonth", "BYMONTH", 1, 12, false],
  ["bysetpos", "BYSETPOS", 1, 366, true],
];
const list = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function rangeProblems(o: Partial<RRuleOptions>): string | undefined {
  for (const [key, name, lo, hi, signed] of RANGES) {
    for (const v of list(o[key])) {
      const n = Number(v);
      const ok = Number.isInteger(n) && (signed ? Math.abs(n) >= lo && Math.abs(n) <= hi : n >= lo && n <= hi);
      if (!ok) return `${name}=${String(v)} is out of range: use ${signed ? `±${lo}..±${hi}` : `${lo}..${hi}`}`;
    }
  }
  for (const d of list(o.byweekday) as { n?: number }[]) {
    const n = d?.n ?? 0;
    if (n !== 0 && (Math.abs(n) > 53 || (o.freq === 1 && Math.abs(n) > 5)))
      return `BYDAY=${n}... is out of range: use ±1..±5 in a MONTHLY rule, ±1..±53 in a YEARLY one`;
  }
  return undefined;
}

function shapeProblems(o: Partial<RRuleOptions>, text: string, anchored: boolean): string | undefined {
  const { RRule } = lib().rrule;
  const freq = o.freq!;
  if (freq === RRule.SECONDLY) return "FREQ=SECONDLY is finer than a freeze needs: use MINUTELY or coarser";
  if (/\bBYEASTER\b/i.test(text)) return "BYEASTER is not RFC 5545: remove it";
  if (list(o.byweekno).length > 0 || list(o.byyearday).length > 0)
    return "BYWEEKNO and BYYEARDAY are not supported in freeze windows: use BYMONTH, BYMONTHDAY or BYDAY";
  if (list(o.bymonthday).length > 0 && freq === RRule.WEEKLY)
    return "BYMONTHDAY cannot be used with FREQ=WEEKLY (RFC 5545): use BYDAY";
  if ((list(o.byweekday) as { n?: number }[]).some((d) => d?.n) && freq !== RRule.MONTHLY && freq !== RRule.YEARLY)
    return "BYDAY with a position (e.g. -1FR) needs FREQ=MONTHLY or YEARLY";
  const selectors = [...RANGES.map(([k]) => k).filter((k) => k !== "bysetpos"), "byweekday" as const];
  if (list(o.bysetpos).length > 0 && !selectors.some((k) => list(o[k]).length > 0))
    return "BYSETPOS needs another BY part to select from (RFC 5545)";
  if (freq === RRule.MINUTELY && (60 % (o.interval ?? 1) !== 0 || list(o.bysetpos).length > 0))
    return "a MINUTELY rule takes an INTERVAL that divides 60 and no BYSETPOS: list the minutes in BYMINUTE of an HOURLY rule instead";
  if (o.count != null && o.until != null) return "COUNT and UNTIL cannot both be set (RFC 5545): keep one";
  if (o.count != null && (o.count < 1 || o.count > MAX_COUNT)) return `COUNT must be between 1 and ${MAX_COUNT}`;
  if (o.interval != null && (o.interval < 1 || o.interval > MAX_INTERVAL))
    return `INTERVAL must be between 1 and ${MAX_INTERVAL}`;
  const days = list(o.bymonthday).map(Number);
  const months = list(o.bymonth).length > 0 ? list(o.bymonth).map(Number) : DAYS_IN_MONTH.map((_, i) => i + 1);
  if (days.length > 0 && !months.some((m) => days.some((d) => Math.abs(d) <= DAYS_IN_MONTH[m - 1])))
    return "BYMONTHDAY never falls in the BYMONTH months, so the window never starts: fix the days or the months";
  if (anchored) return undefined;
  const needs = "give the rule a DTSTART (a local date-time read in timeZone), e.g. DTSTART:20260105T090000\\nRRULE:";
  if (o.count != null) return `COUNT counts from the rule's start: ${needs}FREQ=...;COUNT=...`;
  if ((o.interval ?? 1) > 1) return `INTERVAL counts from the rule's start: ${needs}FREQ=...;INTERVAL=...`;
  const byDay = list(o.byweekday).length > 0;
  if (freq === RRule.WEEKLY && !byDay) return "a WEEKLY rule needs BYDAY (or a DTSTART to take the day from)";
  if (freq === RRule.MONTHLY && !byDay && days.length === 0)
    return "a MONTHLY rule needs BYMONTHDAY or BYDAY (or a DTSTART to take the day from)";
  if (freq === RRule.YEARLY && list(o.bymonth).length === 0)
    return "a YEARLY rule needs BYMONTH (or a DTSTART to take the date from)";
  return undefined;
}

/** RFC 5545's defaults taken from DTSTART, made explicit, so the evaluator may move the start by whole periods. */
function explicitDefaults(o: Partial<RRuleOptions>, anchor: Date): Partial<RRuleOptions> {
  const { RRule } = lib().rrule;
  const freq = o.freq!;
  const out = { ...o };
  const dayParts = ["byweekno", "byyearday", "bymonthday", "byweekday"] as const;
  if (!dayParts.some((k) => list(o[k]).length > 0)) {
    if (freq === RRule.YEARLY) {
      if (list(o.bymonth).length === 0) out.bymonth = [anchor.getUTCMonth() + 1];
      out.bymonthday = [anchor.getUTCDate()];
    } else if (freq === RRule.MONTHLY) out.bymonthday = [anchor.getUTCDate()];
    else if (freq === RRule.WEEKLY) out.byweekday = [(anchor.getUTCDay() + 6) % 7];
  }
  if (freq < RRule.HOURLY && list(o.byhour).length === 0) out.byhour = [anchor.getUTCHours()];
  if (freq < RRule.MINUTELY && list(o.byminute).length === 0) out.byminute = [anchor.getUTCMinutes()];
  if (list(o.bysecond).length === 0) out.bysecond = [anchor.getUTCSeconds()];
  return out;
}

/**
 * A MINUTELY rule as the HOURLY rule with the same starts (its minutes listed in BYMINUTE): rrule's MINUTELY
 * iteration never finds a start when BYHOUR and BYDAY are both set, and walks minute by minute where HOURLY walks hours.
 */
function asHourly(o: Partial<RRuleOptions>, anchor: Date): Partial<RRuleOptions> {
  const { RRule } = lib().rrule;
  if (o.freq !== RRule.MINUTELY) return o;
  const k = o.interval ?? 1;
  const phase = anchor.getUTCMinutes() % k;
  const given = list(o.byminute).map(Number);
  const minutes = Array.from({ length: 60 }, (_, m) => m).filter(
    (m) => m % k === phase && (given.length === 0 || given.includes(m)),
  );
  return { ...o, freq: RRule.HOURLY, interval: 1, byminute: minutes };
}

const DTSTART = /DTSTART[:=](\d{8}(?:T\d{6})?)(?=$|[\s;])/i;

/** Parses a recurring window's rule and duration; throws FreezeRuleError naming the key and the fix. */
export function parseRule(w: FreezeWindowSpec): ParsedRule {
  const { rrule, luxon } = lib();
  const text = w.rrule ?? "";
  const bad = (why: string) => new FreezeRuleError("rrule", why);
  let o: Partial<RRuleOptions>;
  try {
    o = rrule.RRule.parseString(text);
  } catch (err) {
    throw bad(`${(err as Error).message}: set an RRULE such as FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=18`);
  }
  if (o.freq === undefined || o.freq === null) throw bad("set FREQ, e.g. FREQ=WEEKLY;BYDAY=MO");
  if (/TZID/i.test(text)) throw bad("remove TZID: the rule is read in the window's timeZone");
  const start = DTSTART.exec(text)?.[1];
  if (/DTSTART/i.test(text) && start === undefined)
    throw bad("set DTSTART as a local date-time without Z, e.g. DTSTART:20260105T090000 (read in timeZone)");
  if (/UNTIL=[^;\s]*Z/i.test(text)) throw bad("set UNTIL as a local date-time without Z, like DTSTART");
  const anchor = floatingOf(start ?? DEFAULT_ANCHOR);
  if (anchor === undefined) throw bad(`DTSTART ${start} is not a date: set DTSTART:YYYYMMDDTHHMMSS`);
  if (start !== undefined && localInstant(anchor, w.timeZone).gap)
    throw bad(`DTSTART ${start} does not exist in ${w.timeZone} (a daylight-saving gap): choose another time`);
  const why = rangeProblems(o) ?? shapeProblems(o, text, start !== undefined);
  if (why) throw bad(why);
  const duration = luxon.Duration.fromISO(w.duration ?? "");
  if (!duration.isValid) throw new FreezeRuleError("duration", "set an ISO 8601 duration such as PT6H30M or P3D");
  const probe = luxon.DateTime.fromMillis(anchor.getTime(), { zone: "UTC" });
  if (probe.plus(duration) <= probe)
    throw new FreezeRuleError("duration", "set a positive duration such as PT6H30M or P3D");
  const options = { ...asHourly(explicitDefaults(o, anchor), anchor), dtstart: anchor, tzid: undefined };
  // RFC 5545 leaves a rule whose DTSTART is not one of its own starts undefined (some readers add it, rrule does not).
  if (start !== undefined && list(o.bysetpos).length === 0) {
    const first = new rrule.RRule({ ...options, count: 1, until: null }).all()[0];
    if (first?.getTime() !== anchor.getTime())
      throw bad(`DTSTART ${start} is not one of the rule's own starts: move it to the first start the rule gives`);
  }
  return { options, anchor, anchored: start !== undefined, duration };
}

/** A one-off window's instants; throws FreezeRuleError when a bound falls in a daylight-saving gap or they invert. */
export function parseOneOff(w: FreezeWindowSpec): { start: LuxonDateTime; end: LuxonDateTime } {
  const at = (key: "from" | "until") => {
    const f = floatingOf(w[key] ?? "");
    if (f === undefined)
      throw new FreezeRuleError(key, "set a local date or date-time without offset, e.g. 2026-12-24T18:00");
    const r = localInstant(f, w.timeZone);
    if (r.gap) throw new FreezeRuleError(key, `it does not exist in ${w.timeZone} (a daylight-saving gap): move it`);
    return r.at;
  };
  const [start, end] = [at("from"), at("until")];
  if (end <= start) throw new FreezeRuleError("until", "set until after from (in timeZone)");
  return { start, end };
}

/** The refinement the config reader hangs on its freeze schema: each problem as an issue at its key. */
export function refineFreeze(
  freeze: Parameters<typeof freezeProblems>[0],
  ctx: { addIssue(issue: { code: "custom"; path: (string | number)[]; message: string; input: unknown }): void },
): void {
  for (const p of freezeProblems(freeze)) ctx.addIssue({ code: "custom", ...p, input: freeze });
}

/** Every problem of a `slipway:freeze` value that has the right shape; [] when each window can be evaluated. */
export function freezeProblems(freeze: {
  timeZone?: string;
  windows?: (Omit<FreezeWindowSpec, "timeZone"> & { timeZone?: string })[];
}): Problem[] {
  const out: Problem[] = [];
  (freeze.windows ?? []).forEach((raw, i) => {
    const w = { ...raw, timeZone: raw.timeZone ?? freeze.timeZone ?? "UTC" } as FreezeWindowSpec;
    if (!validZone(w.timeZone)) {
      out.push({ path: ["windows", i, "timeZone"], message: "set an IANA time zone such as Europe/London" });
      return;
    }
    try {
      if (w.rrule !== undefined) parseRule(w);
      else if (w.from !== undefined) parseOneOff(w);
    } catch (err) {
      if (!(err instanceof FreezeRuleError)) throw err;
      out.push({ path: ["windows", i, err.key], message: err.message });
    }
  });
  return out;
}
