// Change freezes: is `now` inside one of a stack's windows, and when is the next one. Recurrence is RFC 5545 (rrule)
// evaluated in the window's own time zone (luxon), so "18:00 on the last day of the month, New York" stays 18:00
// local across a daylight-saving change. Pure: the windows and the instant in, the answer out.
import { DateTime, Duration } from "luxon";
import { RRule } from "rrule";
import type { FreezeWindow } from "../../stacks/config";
import { InputError } from "../errors";

export interface Occurrence {
  name: string;
  start: string;
  end: string;
  timeZone: string;
}

/** How far ahead `nextWindow` looks. */
const HORIZON_DAYS = 400;

// rrule works on "floating" dates: a wall-clock time held in a UTC Date. Converting through luxon in the window's
// zone is the way rrule's own documentation gives for zoned rules; its TZID support shifts by the host's zone.
function floating(dt: DateTime): Date {
  return new Date(Date.UTC(dt.year, dt.month - 1, dt.day, dt.hour, dt.minute, dt.second));
}
function zoned(d: Date, zone: string): DateTime {
  return DateTime.fromObject(
    {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
    },
    { zone },
  );
}

function occurrence(w: FreezeWindow, start: DateTime, end: DateTime): Occurrence {
  return { name: w.name, start: start.toISO()!, end: end.toISO()!, timeZone: w.timeZone };
}

function ruleOf(w: FreezeWindow, from: DateTime): RRule {
  const options = RRule.parseString(w.rrule!);
  return new RRule({ ...options, dtstart: floating(from.startOf("day")) });
}

/** Occurrences of one window that overlap [now, now + days]; for a recurring window those starting from `now - its duration`. */
function occurrences(w: FreezeWindow, now: number, days: number): Occurrence[] {
  const local = DateTime.fromMillis(now, { zone: w.timeZone });
  if (w.from !== undefined) {
    const start = DateTime.fromISO(w.from, { zone: w.timeZone });
    const end = DateTime.fromISO(w.until!, { zone: w.timeZone });
    return end.toMillis() > now ? [occurrence(w, start, end)] : [];
  }
  const length = Duration.fromISO(w.duration!);
  const since = local.minus(length).minus({ days: 1 });
  const starts = ruleOf(w, since).between(floating(since), floating(local.plus({ days })), true);
  return starts
    .map((d) => zoned(d, w.timeZone))
    .map((start) => occurrence(w, start, start.plus(length)))
    .filter((o) => Date.parse(o.end) > now);
}

/** The window `now` is in (the one ending last when several overlap), or undefined. */
export function activeWindow(windows: readonly FreezeWindow[], now: number): Occurrence | undefined {
  const inside = windows
    .flatMap((w) => occurrences(w, now, 0))
    .filter((o) => Date.parse(o.start) <= now && now < Date.parse(o.end));
  return inside.sort((a, b) => Date.parse(b.end) - Date.parse(a.end))[0];
}

/** The next window starting after `now`, within HORIZON_DAYS. */
export function nextWindow(windows: readonly FreezeWindow[], now: number): Occurrence | undefined {
  const ahead = windows.flatMap((w) => occurrences(w, now, HORIZON_DAYS)).filter((o) => Date.parse(o.start) > now);
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
