// argv -> a typed invocation. Pure: no process, no file system, no engine; every refusal is an InputError naming the
// argument and the fix. Release values are checked with the release contract's validators, the ones the program's
// config schema uses, never a second set.
import { Command, CommanderError } from "commander";
import {
  checkSteps,
  checkVersion,
  DURATION_FIX,
  isServiceName,
  parseDuration,
  SERVICE_NAMES,
} from "../../contract/release";
import { InputError } from "../errors";

export interface PromoteArgs {
  stack: string;
  version: string;
  approvedBy?: string;
  steps?: number[];
  intervalMs?: number;
  skipCanary: boolean;
  /** Override a change freeze; needs `reason`. */
  breakGlass: boolean;
  reason?: string;
  dryRun: boolean;
  resume: boolean;
  services?: string[];
  json: boolean;
}
export interface StacksArgs {
  stacks: string[];
  json: boolean;
}
export interface PreviewArgs extends StacksArgs {
  markdown?: string;
  sarif?: string;
}
export interface DriftArgs extends StacksArgs {
  markdown?: string;
  remediate: boolean;
  force: boolean;
}
export interface StackArgs {
  stack: string;
  json: boolean;
}
export interface UpArgs extends StackArgs {
  breakGlass: boolean;
  reason?: string;
}
export interface AbortArgs extends StackArgs {
  reason?: string;
  /** Route back even after an irreversible hook ran in the open promotion. */
  force: boolean;
}
export interface HistoryArgs extends StackArgs {
  limit: number;
}
export interface AuditVerifyArgs extends StackArgs {
  head?: string;
}
export interface AuditExportArgs extends StackArgs {
  sinceMs: number;
  untilMs?: number;
  format: "md" | "json" | "html";
  out: string;
}

export type Invocation =
  | { command: "help"; text: string }
  | { command: "promote"; args: PromoteArgs }
  | { command: "preview"; args: PreviewArgs }
  | { command: "up"; args: UpArgs }
  | { command: "status"; args: StacksArgs }
  | { command: "abort"; args: AbortArgs }
  | { command: "drift"; args: DriftArgs }
  | { command: "history"; args: HistoryArgs }
  | { command: "audit-verify"; args: AuditVerifyArgs }
  | { command: "audit-export"; args: AuditExportArgs };

type Opts = Record<string, unknown>;
const collect = (v: string, prev: string[] = []) => [...prev, v];

function program(found: (command: string, opts: Opts) => void, out: (s: string) => void): Command {
  const p = new Command("slipway")
    .description("Ship releases through the slipway stacks: previews, canary promotion with health gates, drift.")
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: out, outputError: () => undefined })
    .allowExcessArguments(false);
  const stacks = "stack to act on (repeat or comma-separate for several; default: every stack)";
  p.command("preview")
    .description("preview stacks with the policy pack; write the PR report")
    .option("--stack <name>", stacks, collect)
    .option("--markdown <file>", "write the Markdown report")
    .option("--sarif <file>", "write SARIF 2.1.0 for code scanning")
    .option("--json", "print one JSON document")
    .action((o: Opts) => found("preview", o));
  p.command("up")
    .description("update a stack to the desired state, with the policy pack")
    .option("--stack <name>", "stack to update")
    .option("--json", "print one JSON document")
    .option("--break-glass", "override a change freeze (journaled, flagged in every report); needs --reason")
    .option("--reason <text>", "why the freeze is overridden; recorded")
    .action((o: Opts) => found("up", o));
  p.command("promote")
    .description("release a version to a stack through canary steps and health gates")
    .option("--stack <name>", "stack to promote to (dev -> staging -> prod; local stands alone)")
    .option("--version <version>", "image version to release, e.g. 1.4.0")
    .option(
      "--approved-by <name>",
      "approver outside CI (journaled as unverified); in GitHub Actions the environment review is read instead",
    )
    .option("--steps <weights>", "canary weights in percent, e.g. 10,30,100 (default: the stack's canary.steps)")
    .option("--interval <duration>", "wait between a step and its analysis, e.g. 60s (default: the stack's)")
    .option("--services <names>", "release only these services, comma-separated (default: every service)")
    .option("--skip-canary", "go straight to stable (urgent fix); needs --reason")
    .option("--break-glass", "override a change freeze (journaled, flagged in every report); needs --reason")
    .option("--reason <text>", "why the canary is skipped or the freeze overridden; recorded")
    .option(
      "--resume",
      "continue an interrupted or held promotion from its last completed step instead of rolling back",
    )
    .option("--dry-run", "print the plan and the preview; change nothing")
    .option("--json", "print one JSON document")
    .action((o: Opts) => found("promote", o));
  p.command("status")
    .description("stable and canary versions, weight, last promotion and lock holder per stack")
    .option("--stack <name>", stacks, collect)
    .option("--json", "print one JSON document")
    .action((o: Opts) => found("status", o));
  p.command("abort")
    .description("roll the canary of a stack back now (weight 0, canary cleared)")
    .option("--stack <name>", "stack whose canary to roll back")
    .option("--reason <text>", "recorded in the journal")
    .option(
      "--force",
      "roll back even after an irreversible hook (a schema migration) ran: the old version may not read the database",
    )
    .option("--json", "print one JSON document")
    .action((o: Opts) => found("abort", o));
  p.command("drift")
    .description("refresh-preview each stack and report drifted resources; exit 2 on drift")
    .option("--stack <name>", stacks, collect)
    .option("--markdown <file>", "write the Markdown report")
    .option("--remediate", "run an update restoring the desired state")
    .option("--force", "with --remediate: also touch protected data-tier resources")
    .option("--json", "print one JSON document")
    .action((o: Opts) => found("drift", o));
  p.command("history")
    .description("the stack's journal: promotions, steps, verdicts")
    .option("--stack <name>", "stack whose journal to print")
    .option("--limit <n>", "last N entries", "50")
    .option("--json", "print one JSON document")
    .action((o: Opts) => found("history", o));
  const audit = p
    .command("audit")
    .description("change evidence: verify the journal's hash chain, export change records");
  audit
    .command("verify")
    .description(
      "recompute the stack's journal hash chain; exit 6 naming the first changed, removed, reordered or inserted entry",
    )
    .option("--stack <name>", "stack whose journal to verify")
    .option(
      "--head <sha256>",
      "a head hash kept outside the backend (a promote run's journal-head output) that the chain must still contain",
    )
    .option("--json", "print one JSON document")
    .action((o: Opts) => found("audit-verify", o));
  audit
    .command("export")
    .description(
      "write the stack's change records (promotions, skip-canary, rollbacks, aborts, remediations) with the chain's verification",
    )
    .option("--stack <name>", "stack whose records to export")
    .option("--since <date>", "first day, e.g. 2026-11-01 (UTC) or an ISO time")
    .option("--until <date>", "last day, inclusive, e.g. 2026-11-30 (default: now)")
    .option("--format <format>", "md, json or html")
    .option("--out <file>", "file to write")
    .option("--json", "print one JSON document")
    .action((o: Opts) => found("audit-export", o));
  return p;
}

/** Refuses `shown` for `flag` when a contract validator returned a fix. */
function check(flag: string, shown: string, fix: string | undefined): void {
  if (fix !== undefined) throw new InputError(`${flag} ${JSON.stringify(shown)} is not allowed: ${fix}`);
}

function text(opts: Opts, key: string, flag: string): string | undefined {
  const v = opts[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v.trim() === "")
    throw new InputError(`${flag} is empty: give a value, e.g. ${flag} ${EXAMPLE[flag] ?? "VALUE"}`);
  return v.trim();
}
const EXAMPLE: Record<string, string> = {
  "--stack": "dev",
  "--version": "1.4.0",
  "--approved-by": '"Jane Doe"',
  "--steps": "10,30,100",
  "--interval": "60s",
  "--reason": '"CVE fix"',
  "--services": "api-gateway",
  "--markdown": "report.md",
  "--sarif": "report.sarif",
};

function oneStack(opts: Opts, stacks: readonly string[]): string {
  const s = text(opts, "stack", "--stack");
  if (s === undefined) throw new InputError(`--stack is required: name the stack, one of ${stacks.join(", ")}`);
  return knownStack(s, stacks);
}
function knownStack(s: string, stacks: readonly string[]): string {
  if (!stacks.includes(s))
    throw new InputError(`--stack ${JSON.stringify(s)} is not a stack here: use one of ${stacks.join(", ")}`);
  return s;
}
function manyStacks(opts: Opts, stacks: readonly string[]): string[] {
  const given = (opts.stack as string[] | undefined)?.flatMap((s) => s.split(",")).map((s) => s.trim());
  if (given === undefined) return [...stacks];
  if (given.some((s) => s === ""))
    throw new InputError(`--stack is empty: give a stack name, one of ${stacks.join(", ")}`);
  return [...new Set(given.map((s) => knownStack(s, stacks)))];
}

function versionArg(opts: Opts): string {
  const v = text(opts, "version", "--version");
  if (v === undefined)
    throw new InputError("--version is required: give the image version to release, e.g. --version 1.4.0");
  check("--version", v, checkVersion(v));
  return v;
}

function stepsArg(opts: Opts): number[] | undefined {
  const raw = opts.steps as string | undefined;
  if (raw === undefined) return undefined;
  const steps = raw.split(",").map((s) => (s.trim() === "" ? NaN : Number(s.trim())));
  check("--steps", raw, checkSteps(steps));
  return steps;
}

function intervalArg(opts: Opts): number | undefined {
  const raw = opts.interval as string | undefined;
  if (raw === undefined) return undefined;
  const ms = parseDuration(raw);
  check("--interval", raw, ms === undefined ? DURATION_FIX : undefined);
  return ms;
}

function servicesArg(opts: Opts): string[] | undefined {
  const raw = text(opts, "services", "--services");
  if (raw === undefined) return undefined;
  const list = raw.split(",").map((s) => s.trim());
  const unknown = list.find((s) => !isServiceName(s));
  if (unknown !== undefined)
    throw new InputError(`--services ${JSON.stringify(unknown)} is not a service: use ${SERVICE_NAMES.join(", ")}`);
  const repeated = list.find((s, i) => list.indexOf(s) !== i);
  if (repeated !== undefined)
    throw new InputError(
      `--services ${JSON.stringify(raw)} is not allowed: list each service once (${repeated} repeats)`,
    );
  return list;
}

function promoteArgs(opts: Opts, stacks: readonly string[]): PromoteArgs {
  const stack = oneStack(opts, stacks);
  const version = versionArg(opts);
  const approvedBy = text(opts, "approvedBy", "--approved-by");
  const skipCanary = opts.skipCanary === true;
  const { breakGlass, reason } = breakGlassArgs(opts, skipCanary);
  if (skipCanary && reason === undefined)
    throw new InputError('--skip-canary needs --reason: say why, e.g. --reason "CVE-2026-1234 hotfix"');
  const steps = stepsArg(opts);
  const intervalMs = intervalArg(opts);
  if (skipCanary && (steps !== undefined || intervalMs !== undefined)) {
    throw new InputError("--skip-canary runs no canary steps: drop --steps and --interval, or drop --skip-canary");
  }
  const resume = opts.resume === true;
  const dryRun = opts.dryRun === true;
  if (resume && dryRun) throw new InputError("--resume changes the stack: drop --dry-run, or drop --resume");
  if (resume && skipCanary)
    throw new InputError("--resume continues canary steps: drop --skip-canary, or drop --resume");
  const services = servicesArg(opts);
  return {
    stack,
    version,
    approvedBy,
    steps,
    intervalMs,
    skipCanary,
    breakGlass,
    reason,
    dryRun,
    resume,
    services,
    json: opts.json === true,
  };
}

/** --reason explains --skip-canary or --break-glass (one reason for both); --break-glass never goes without one. */
function breakGlassArgs(opts: Opts, skipCanary = false): { breakGlass: boolean; reason?: string } {
  const breakGlass = opts.breakGlass === true;
  const reason = text(opts, "reason", "--reason");
  if (breakGlass && reason === undefined)
    throw new InputError(
      '--break-glass needs --reason: say why the freeze is overridden, e.g. --reason "INC-4411 pricing outage"',
    );
  if (!breakGlass && !skipCanary && reason !== undefined)
    throw new InputError("--reason only goes with --skip-canary or --break-glass: drop it, or add one of them");
  return { breakGlass, reason };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A date (UTC day; `end` = the instant after that day) or an ISO date-time with offset. */
function dateArg(opts: Opts, key: string, flag: string, end: boolean): number | undefined {
  const raw = text(opts, key, flag);
  if (raw === undefined) return undefined;
  const ms = DAY.test(raw)
    ? Date.parse(`${raw}T00:00:00Z`) + (end ? 86_400_000 : 0)
    : /T.*(Z|[+-]\d\d:\d\d)$/.test(raw)
      ? Date.parse(raw)
      : NaN;
  if (Number.isNaN(ms))
    throw new InputError(
      `${flag} ${JSON.stringify(raw)} is not allowed: give a day such as 2026-11-01 or a time such as 2026-11-01T09:00:00Z`,
    );
  return ms;
}

function auditExportArgs(o: Opts, stacks: readonly string[]): AuditExportArgs {
  const stack = oneStack(o, stacks);
  const sinceMs = dateArg(o, "since", "--since", false);
  if (sinceMs === undefined)
    throw new InputError("--since is required: give the first day to export, e.g. --since 2026-11-01");
  const untilMs = dateArg(o, "until", "--until", true);
  if (untilMs !== undefined && untilMs <= sinceMs)
    throw new InputError("--until is before --since: give an --until on or after the --since day");
  const format = text(o, "format", "--format");
  if (format !== "md" && format !== "json" && format !== "html") {
    throw new InputError(
      `--format ${format === undefined ? "is required" : `${JSON.stringify(format)} is not allowed`}: use md, json or html, e.g. --format html`,
    );
  }
  const out = text(o, "out", "--out");
  if (out === undefined)
    throw new InputError(`--out is required: name the file to write, e.g. --out evidence.${format}`);
  return { stack, sinceMs, untilMs, format, out, json: o.json === true };
}

function limitArg(opts: Opts): number {
  const raw = String(opts.limit);
  if (!/^[1-9]\d*$/.test(raw))
    throw new InputError(`--limit ${JSON.stringify(raw)} is not allowed: give a positive integer, e.g. --limit 20`);
  return Number(raw);
}

function build(command: string, o: Opts, stacks: readonly string[]): Invocation {
  const json = o.json === true;
  switch (command) {
    case "promote":
      return { command, args: promoteArgs(o, stacks) };
    case "preview":
      return {
        command,
        args: {
          stacks: manyStacks(o, stacks),
          json,
          markdown: text(o, "markdown", "--markdown"),
          sarif: text(o, "sarif", "--sarif"),
        },
      };
    case "up":
      return { command, args: { stack: oneStack(o, stacks), json, ...breakGlassArgs(o) } };
    case "status":
      return { command, args: { stacks: manyStacks(o, stacks), json } };
    case "abort":
      return {
        command,
        args: { stack: oneStack(o, stacks), json, reason: text(o, "reason", "--reason"), force: o.force === true },
      };
    case "drift": {
      if (o.force === true && o.remediate !== true)
        throw new InputError("--force only goes with --remediate: add --remediate, or drop --force");
      const args = {
        stacks: manyStacks(o, stacks),
        json,
        markdown: text(o, "markdown", "--markdown"),
        remediate: o.remediate === true,
        force: o.force === true,
      };
      return { command, args };
    }
    case "audit-verify": {
      const head = text(o, "head", "--head");
      if (head !== undefined && !/^[0-9a-f]{64}$/.test(head))
        throw new InputError(
          `--head ${JSON.stringify(head)} is not allowed: give the 64-hex-digit SHA-256 a promotion printed as its journal head`,
        );
      return { command, args: { stack: oneStack(o, stacks), json, head } };
    }
    case "audit-export":
      return { command, args: auditExportArgs(o, stacks) };
    default:
      return { command: "history", args: { stack: oneStack(o, stacks), json, limit: limitArg(o) } };
  }
}

/** Parses `argv` (without node and the script); `stacks` are the stacks present. Throws InputError. */
export function parseArgv(argv: readonly string[], stacks: readonly string[]): Invocation {
  let found: { command: string; opts: Opts } | undefined;
  let printed = "";
  const p = program(
    (command, opts) => (found = { command, opts }),
    (s) => (printed += s),
  );
  try {
    p.parse([...argv], { from: "user" });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (err.code === "commander.helpDisplayed" || err.code === "commander.help" || err.code === "commander.version") {
      return { command: "help", text: printed };
    }
    throw new InputError(`${err.message.replace(/^error: /, "")}: see slipway --help`);
  }
  if (found === undefined) return { command: "help", text: p.helpInformation() };
  return build(found.command, found.opts, stacks);
}

/** The command tree alone (names, options, help), for documentation and for checking the workflows' invocations. */
export function buildProgram(): Command {
  return program(
    () => undefined,
    () => undefined,
  );
}
