// Change freezes: is `now` inside one of a stack's windows, and when is the next one. Recurrence is RFC 5545 (rrule)
// from a fixed anchor (the rule's DTSTART, or contract/freeze.ts DEFAULT_ANCHOR), evaluated in the window's own time
// zone (luxon), so "18:00 on the last day of the month, New York" stays 18:00 local across a daylight-saving change.
// Bounded: the search looks back only as far as a window's duration, moves the rule's start forward by whole periods
// (never past what a counted rule needs), and stops after MAX_STARTS starts. Pure: the windows and the instant in.
import { DateTime } from "luxon";
import { RRule } from "rrule";
import {
  FreezeRuleError,
  FreezeWindowSpec as FreezeWindow,
  localInstant,
  parseOneOff,
  parseRule,
  ParsedRule,
} from "../../contract/freeze";
import { InputError } from "../errors";

export interface Occurrence {
  name: string;
  start: string;
  end: string;
  timeZone: string;
}

/** How far ahead `nextWindow` looks. */
const HORIZON_DAYS = 400;
/** Most rule starts one search step reads; a rule denser than that in a step is refused, never half read. */
export const MAX_STARTS = 5000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** The spans searched in turn, nearest first: a dense rule is answered from the first, a sparse one from a later. */
const SPANS = [HOUR, DAY, 8 * DAY, 32 * DAY, 400 * DAY];
/** Wall-clock slack around a search (a daylight-saving shift is at most 2 h). */
const SLACK = 2 * HOUR;

/** rrule works on floating dates: a wall-clock time held in a UTC Date. */
function floatingMs(dt: DateTime): number {
  return Date.UTC(dt.year, dt.month - 1, dt.day, dt.hour, dt.minute, dt.second);
}

function refused(w: FreezeWindow, err: unknown): never {
  if (!(err instanceof FreezeRuleError)) throw err;
  throw new InputError(`freeze window "${w.name}" ${err.key}: ${err.message}`, { window: w.name, key: err.key });
}

const PERIOD_MS: Partial<Record<number, number>> = {
  [RRule.WEEKLY]: 7 * DAY,
  [RRule.DAILY]: DAY,
  [RRule.HOURLY]: HOUR,
  [RRule.MINUTELY]: 60_000,
};

/**
 * The rule with its start moved forward by whole periods (INTERVAL x FREQ) to at least one period before `from`: the
 * same occurrences from `from` on, without iterating the years since the anchor. A counted rule keeps its start.
 */
function ruleFrom(p: ParsedRule, from: number): RRule {
  const o = p.options;
  const interval = o.interval ?? 1;
  const a = p.anchor.getTime();
  if (o.count != null || from <= a) return new RRule(o);
  const period = PERIOD_MS[o.freq!];
  if (period !== undefined) {
    const k = Math.floor((from - a) / (period * interval)) - 1;
    return k > 0 ? new RRule({ ...o, dtstart: new Date(a + k * period * interval) }) : new RRule(o);
  }
  const step = interval * (o.freq === RRule.YEARLY ? 12 : 1);
  const f = new Date(from);
  const months = f.getUTCFullYear() * 12 + f.getUTCMonth() - (p.anchor.getUTCFullYear() * 12 + p.anchor.getUTCMonth());
  const k = Math.floor(months / step) - 1;
  if (k <= 0) return new RRule(o);
  const dtstart = new Date(Date.UTC(p.anchor.getUTCFullYear(), p.anchor.getUTCMonth() + k * step, 1));
  return new RRule({ ...o, dtstart });
}

/** Starts of a recurring window in [from, to] (instants), in order. */
function startsIn(w: FreezeWindow, p: ParsedRule, from: number, to: number): DateTime[] {
  const f = floatingMs(DateTime.fromMillis(from, { zone: w.timeZone })) - SLACK;
  const t = floatingMs(DateTime.fromMillis(to, { zone: w.timeZone })) + SLACK;
  const found: Date[] = [];
  ruleFrom(p, f).between(new Date(f), new Date(t), true, (d) => found.push(d) < MAX_STARTS);
  if (found.length >= MAX_STARTS)
    throw new InputError(
      `freeze window "${w.name}" rrule: it starts more than ${MAX_STARTS} times in ${Math.round((to - from) / HOUR)} h; use a coarser FREQ or fewer BY values`,
      { window: w.name, key: "rrule" },
    );
  return found.map((d) => localInstant(d, w.timeZone).at).filter((s) => s.toMillis() >= from && s.toMillis() <= to);
}

function occurrence(w: FreezeWindow, start: DateTime, end: DateTime): Occurrence {
  return { name: w.name, start: start.toISO()!, end: end.toISO()!, timeZone: w.timeZone };
}

/** The occurrence of `w` that `now` is in, if any: the latest start no further back than the window's duration. */
function activeOf(w: FreezeWindow, now: number): Occurrence | undefined {
  if (w.rrule === undefined) {
    const { start, end } = parseOneOff(w);
    return start.toMillis() <= now && now < end.toMillis() ? occurrence(w, start, end) : undefined;
  }
  const p = parseRule(w);
  // A start this far back may still cover `now` (slack for a calendar duration across a daylight-saving change).
  const earliest = DateTime.fromMillis(now, { zone: w.timeZone }).minus(p.duration).toMillis() - SLACK;
  for (const span of [...SPANS, Infinity]) {
    const from = Math.max(earliest, now - span);
    const start = startsIn(w, p, from, now).at(-1);
    if (start !== undefined) {
      const end = start.plus(p.duration);
      return end.toMillis() > now ? occurrence(w, start, end) : undefined;
    }
    if (from === earliest) return undefined;
  }
  return undefined;
}

/** The first occurrence of `w` starting after `now`, within HORIZON_DAYS. */
function nextOf(w: FreezeWindow, now: number): Occurrence | undefined {
  if (w.rrule === undefined) {
    const { start, end } = parseOneOff(w);
    return start.toMillis() > now ? occurrence(w, start, end) : undefined;
  }
  const p = parseRule(w);
  for (const span of SPANS) {
    const start = startsIn(w, p, now + 1, now + Math.min(span, HORIZON_DAYS * DAY))[0];
    if (start !== undefined) return occurrence(w, start, start.plus(p.duration));
  }
  return undefined;
}

function each<T>(windows: readonly FreezeWindow[], f: (w: FreezeWindow) => T | undefined): T[] {
  return windows.flatMap((w) => {
    try {
      const r = f(w);
      return r === undefined ? [] : [r];
    } catch (err) {
      return refused(w, err);
    }
  });
}

/** The window `now` is in (the one ending last when several overlap), or undefined. */
export function activeWindow(windows: readonly FreezeWindow[], now: number): Occurrence | undefined {
  const inside = each(windows, (w) => activeOf(w, now));
  return inside.sort((a, b) => Date.parse(b.end) - Date.parse(a.end))[0];
}

/** The next window starting after `now`, within HORIZON_DAYS. */
export function nextWindow(windows: readonly FreezeWindow[], now: number): Occurrence | undefined {
  const ahead = each(windows, (w) => nextOf(w, now));
  return ahead.sort((a, b) => Date.parse(a.start) - Date.parse(b.start))[0];
}

export interface BreakGlass {
  reason: string;
  window: Occurrence;
}

/**
 * Refuses a change inside a freeze unless `breakGlass` names a reason; resolves to the override to journal, or
 * undefined when no window is active.
 */
export function checkFreeze(
  stack: string,
  windows: readonly FreezeWindow[],
  now: number,
  breakGlass: { reason?: string } | undefined,
): BreakGlass | undefined {
  const w = activeWindow(windows, now);
  if (w === undefined) return undefined;
  if (breakGlass === undefined) {
    throw new InputError(
      `${stack} is frozen: window "${w.name}" runs until ${w.end} (${w.timeZone}); wait until then, or override with --break-glass --reason "..." (journaled and flagged in every report)`,
      { freeze: w },
    );
  }
  if (breakGlass.reason === undefined)
    throw new InputError(
      '--break-glass needs --reason: say why the freeze is overridden, e.g. --reason "INC-4411 pricing outage"',
    );
  return { reason: breakGlass.reason, window: w };
}
