// Dates on the command line: a UTC day (2026-11-01) or an ISO date-time with its offset (2026-11-01T09:00:00Z). A day
// or time that does not exist (2026-02-30, month 13, hour 25) is refused, never rolled over into the next one.
import { InputError } from "../errors";
import { quote, text } from "./args";
import type { Opts } from "./command";

const DAY_MS = 86_400_000;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|([+-])(\d{2}):(\d{2}))$/;

/** Milliseconds of that UTC day's midnight; undefined when the day does not exist (checked by the round trip). */
function dayStart(y: number, m: number, d: number): number | undefined {
  if (y < 1970 || m < 1 || m > 12) return undefined;
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d ? ms : undefined;
}

/** `end`: a day stands for the instant after it (an inclusive last day). */
export function parseDateArg(raw: string, end: boolean): number | undefined {
  const day = DAY.exec(raw);
  if (day) {
    const ms = dayStart(Number(day[1]), Number(day[2]), Number(day[3]));
    return ms === undefined ? undefined : ms + (end ? DAY_MS : 0);
  }
  const t = TIME.exec(raw);
  if (!t) return undefined;
  const [h, min, s] = [Number(t[4]), Number(t[5]), Number(t[6] ?? 0)];
  const [oh, om] = [Number(t[10] ?? 0), Number(t[11] ?? 0)];
  const start = dayStart(Number(t[1]), Number(t[2]), Number(t[3]));
  if (start === undefined || h > 23 || min > 59 || s > 59 || oh > 23 || om > 59) return undefined;
  const offset = (t[9] === "-" ? -1 : 1) * (oh * 60 + om) * 60_000;
  return start + ((h * 60 + min) * 60 + s) * 1000 + Number((t[7] ?? "0").padEnd(3, "0")) - offset;
}

export function dateArg(o: Opts, key: string, flag: string, end: boolean): number | undefined {
  const raw = text(o, key, flag);
  if (raw === undefined) return undefined;
  const ms = parseDateArg(raw, end);
  if (ms === undefined)
    throw new InputError(
      `${flag} ${quote(raw)} is not allowed: no such day or time; give a day such as 2026-11-01 or a time such as 2026-11-01T09:00:00Z`,
    );
  return ms;
}
