// The checks of command-line values, shared by the commands' option parsers. Pure; every refusal is an InputError
// naming the argument and the fix. Release values go through the release contract's validators, the ones the
// program's config schema uses, never a second set; what only a command line can get wrong (a repeated or padded
// number, a timer Node cannot set, a day that does not exist, invisible or control characters) is refused here.
import {
  checkSteps,
  checkVersion,
  DURATION_FIX,
  isServiceName,
  parseDuration,
  PAUSE,
  SERVICE_NAMES,
  splitSteps,
  StepEntry,
  STEPS_FIX,
} from "../../contract/release";
import { InputError } from "../errors";
import type { Opts } from "./command";

/** C0 and C1 control characters, newline and tab included: never part of a value given on a command line. */
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
/** Unicode format characters (zero-width spaces and joiners, word joiner, BOM, bidi marks): invisible. */
const FORMAT = /\p{Cf}/gu;
/** Bidi embeddings, overrides and isolates: they reorder what a log or a report shows. */
const BIDI = /[\u202A-\u202E\u2066-\u2069]/;
/** Longest free text (a reason, an approver) kept in the journal. */
export const MAX_TEXT = 500;
/** Longest stack name. */
export const MAX_NAME = 100;

/** A value as a message shows it: quoted, escapes for control and invisible characters, cut when long. */
export function quote(v: string): string {
  const cut = v.length > 80 ? `${v.slice(0, 80)}...` : v;
  return JSON.stringify(cut).replace(
    /[\p{Cf}\u2028\u2029]/gu,
    (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, "0")}`,
  );
}

/** Refuses `shown` for `flag` when a contract validator returned a fix. */
export function check(flag: string, shown: string, fix: string | undefined): void {
  if (fix !== undefined) throw new InputError(`${flag} ${quote(shown)} is not allowed: ${fix}`);
}

const EXAMPLE: Record<string, string> = {
  "--stack": "dev",
  "--version": "1.4.0",
  "--approved-by": '"Jane Doe"',
  "--steps": "10,30,100",
  "--interval": "60s",
  "--reason": '"CVE fix"',
  "--services": SERVICE_NAMES[0],
  "--markdown": "report.md",
  "--sarif": "report.sarif",
  "--out": "evidence.html",
};

/** A text option, trimmed: refused when it holds a control character or nothing visible. */
export function text(o: Opts, key: string, flag: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  const example = `e.g. ${flag} ${EXAMPLE[flag] ?? "VALUE"}`;
  if (typeof v !== "string" || v.replace(FORMAT, "").trim() === "")
    throw new InputError(`${flag} is empty: give a value, ${example}`);
  if (CONTROL.test(v))
    throw new InputError(
      `${flag} ${quote(v)} is not allowed: it holds a control character (newline, tab, escape); give one line of plain text, ${example}`,
    );
  return v.trim();
}

/** Free text kept in the journal and shown in reports (a reason, an approver): no bidi overrides, at most MAX_TEXT. */
export function freeText(o: Opts, key: string, flag: string): string | undefined {
  const v = text(o, key, flag);
  if (v === undefined) return undefined;
  if (BIDI.test(v))
    throw new InputError(
      `${flag} ${quote(v)} is not allowed: it holds a bidi override that reorders what logs show; type the text plainly`,
    );
  if (v.length > MAX_TEXT)
    throw new InputError(`${flag} is ${v.length} characters long: keep it to at most ${MAX_TEXT}`);
  return v;
}

/** A stack name: never a path, never invisible, and one of the stacks present. */
export function stackName(s: string, stacks: readonly string[]): string {
  if (/[/\\]/.test(s) || s.includes("..") || CONTROL.test(s) || /\p{Cf}/u.test(s) || s.length > MAX_NAME) {
    throw new InputError(
      `--stack ${quote(s)} is not allowed: a stack name has no path separator (/ or \\), no "..", no control or invisible character and at most ${MAX_NAME} characters; use one of ${stacks.join(", ")}`,
    );
  }
  if (!stacks.includes(s))
    throw new InputError(`--stack ${quote(s)} is not a stack here: use one of ${stacks.join(", ")}`);
  return s;
}

export function oneStack(o: Opts, stacks: readonly string[]): string {
  const s = text(o, "stack", "--stack");
  if (s === undefined) throw new InputError(`--stack is required: name the stack, one of ${stacks.join(", ")}`);
  return stackName(s, stacks);
}

/** `--stack a,b --stack c`; every stack present when none is given. */
export function manyStacks(o: Opts, stacks: readonly string[]): string[] {
  const given = (o.stack as string[] | undefined)?.flatMap((s) => s.split(",")).map((s) => s.trim());
  if (given === undefined) return [...stacks];
  if (given.some((s) => s === ""))
    throw new InputError(`--stack is empty: give a stack name, one of ${stacks.join(", ")}`);
  return [...new Set(given.map((s) => stackName(s, stacks)))];
}

/** Only `0` or a digit 1-9 followed by digits: no sign, 0x/0b/0o prefix, exponent, fraction, spaces or padding. */
const PLAIN_INT = /^(0|[1-9]\d*)$/;
const PLAIN_FIX = "plain decimal integers only (no sign, 0x/0b/0o prefix, exponent, fraction, spaces or leading zeros)";

export function integerArg(o: Opts, key: string, flag: string, min: number, max: number): number | undefined {
  const raw = o[key];
  if (raw === undefined) return undefined;
  const n = typeof raw === "string" && PLAIN_INT.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max))
    throw new InputError(
      `${flag} ${quote(String(raw))} is not allowed: give a whole number from ${min} to ${max}, ${PLAIN_FIX}, e.g. ${flag} ${Math.min(max, 20)}`,
    );
  return n;
}

export function versionArg(o: Opts): string {
  const v = text(o, "version", "--version");
  if (v === undefined)
    throw new InputError("--version is required: give the image version to release, e.g. --version 1.4.0");
  const fix = checkVersion(v);
  check(
    "--version",
    v,
    fix && `${fix}; it is also a Kubernetes label value: no +build, at most 63 characters, ending in a letter or digit`,
  );
  return v;
}

export function stepsArg(o: Opts): number[] | undefined {
  return canaryStepsArg(o)?.steps;
}

/** `--steps 10,30,pause,100`: the weights and the indices of the weights a pause follows. */
export function canaryStepsArg(o: Opts): { steps: number[]; pauseAfter: number[] } | undefined {
  const raw = o.steps as string | undefined;
  if (raw === undefined) return undefined;
  const parts = raw.split(",");
  const plain = parts.every((p) => p === PAUSE || PLAIN_INT.test(p));
  check("--steps", raw, plain ? undefined : `${PLAIN_FIX}; ${STEPS_FIX}`);
  const steps: StepEntry[] = parts.map((p) => (p === PAUSE ? PAUSE : Number(p)));
  check("--steps", raw, checkSteps(steps));
  return splitSteps(steps);
}

const UNITS: Array<[string, number]> = [
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
];
/** 86400000 -> "24h", 1000 -> "1s", 250 -> "250ms". */
export function durationText(ms: number): string {
  const [unit, size] = UNITS.find(([, size]) => ms >= size && ms % size === 0) ?? ["ms", 1];
  return `${ms / size}${unit}`;
}

/** A duration between `min` and `max` ms; Node's timers hold at most 2^31-1 ms (24.8 days), so `max` stays below. */
export function durationArg(o: Opts, key: string, flag: string, min: number, max: number): number | undefined {
  const raw = o[key] as string | undefined;
  if (raw === undefined) return undefined;
  const ms = /^(0|[1-9]\d*)(ms|s|m|h)$/.test(raw) ? parseDuration(raw) : undefined;
  check(flag, raw, ms === undefined ? `${DURATION_FIX}: a plain decimal integer and ms, s, m or h` : undefined);
  if (ms! < min || ms! > max)
    throw new InputError(
      `${flag} ${quote(raw)} is not allowed: give a duration from ${durationText(min)} to ${durationText(max)}, e.g. ${flag} 60s`,
    );
  return ms;
}

/** `--services a,b`: each a service of `known` (the stack's catalogue; default the default catalogue's), once. */
export function servicesArg(o: Opts, known: readonly string[] = SERVICE_NAMES): string[] | undefined {
  const raw = text(o, "services", "--services");
  if (raw === undefined) return undefined;
  const list = raw.split(",").map((s) => s.trim());
  const unknown = list.find((s) => !isServiceName(s, known));
  if (unknown !== undefined)
    throw new InputError(`--services ${quote(unknown)} is not a service: use ${known.join(", ")}`);
  const repeated = list.find((s, i) => list.indexOf(s) !== i);
  if (repeated !== undefined)
    throw new InputError(`--services ${quote(raw)} is not allowed: list each service once (${repeated} repeats)`);
  return list;
}

/** --reason explains --skip-canary or --break-glass (one reason for both); --break-glass never goes without one. */
export function breakGlassArgs(o: Opts, skipCanary = false): { breakGlass: boolean; reason?: string } {
  const breakGlass = o.breakGlass === true;
  const reason = freeText(o, "reason", "--reason");
  if (breakGlass && reason === undefined)
    throw new InputError(
      '--break-glass needs --reason: say why the freeze is overridden, e.g. --reason "INC-4411 pricing outage"',
    );
  if (!breakGlass && !skipCanary && reason !== undefined)
    throw new InputError("--reason only goes with --skip-canary or --break-glass: drop it, or add one of them");
  return { breakGlass, reason };
}
