// argv -> a typed invocation, parsed once. Pure: no process, no file system, no engine; every refusal is an InputError
// naming the argument and the fix. The command tree comes from the verb table (verbs.ts); each command module owns its
// options, help text and checks (automation/commands/*.ts).
import { Command, CommanderError } from "commander";
import { quote } from "../commands/args";
import type { CatalogueOf, Opts, OptionSpec, Verb } from "../commands/command";
import { InputError } from "../errors";
import { Call, GROUPS, VERBS, VerbName } from "./verbs";

export type { AbortArgs } from "../commands/abort";
export type { AuditExportArgs } from "../commands/auditExport";
export type { AuditVerifyArgs } from "../commands/auditVerify";
export type { DriftArgs } from "../commands/drift";
export type { HistoryArgs } from "../commands/history";
export type { PreviewArgs, StacksArgs } from "../commands/preview";
export type { PromoteArgs } from "../commands/promote";
export type { StackArgs, UpArgs } from "../commands/up";
export type { StatusArgs } from "../commands/status";
export type { WatchArgs } from "../commands/watch";

export type Invocation = { command: "help"; text: string } | Call;

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** An option with a value given twice is refused rather than the last one silently winning. */
function once(flag: string) {
  return (v: string, prev: string | undefined) => {
    if (prev !== undefined)
      throw new InputError(`${flag} is given twice (${quote(prev)}, then ${quote(v)}): give it once`);
    return v;
  };
}

function addOption(c: Command, o: OptionSpec): void {
  const flag = o.flags.split(" ")[0];
  if (!o.flags.includes("<")) c.option(o.flags, o.help);
  else if (o.repeatable) c.option(o.flags, o.help, collect);
  else c.option(o.flags, o.help, once(flag));
}

function program(found: (command: VerbName, opts: Opts) => void, out: (s: string) => void): Command {
  const p = new Command("slipway")
    .description("Ship releases through the slipway stacks: previews, canary promotion with health gates, drift.")
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: out, outputError: () => undefined })
    .allowExcessArguments(false);
  const groups = new Map<string, Command>();
  for (const [name, verb] of Object.entries(VERBS) as Array<[VerbName, Verb<{ json: boolean }>]>) {
    let parent = p;
    if (verb.words.length > 1) {
      const g = verb.words[0];
      if (!groups.has(g)) groups.set(g, p.command(g).description(GROUPS[g] ?? ""));
      parent = groups.get(g)!;
    }
    const c = parent.command(verb.words[verb.words.length - 1]).description(verb.description);
    for (const o of verb.options) addOption(c, o);
    c.action((o: Opts) => found(name, o));
  }
  return p;
}

function build(command: VerbName, o: Opts, stacks: readonly string[], catalogue?: CatalogueOf): Call {
  const verb = VERBS[command] as Verb<{ json: boolean }>;
  return { command, args: verb.parse(o, stacks, catalogue) } as Call;
}

/**
 * Parses `argv` (without node and the script); `stacks` are the stacks present, `catalogue` names a stack's services
 * (default: the default catalogue's). Throws InputError.
 */
export function parseArgv(argv: readonly string[], stacks: readonly string[], catalogue?: CatalogueOf): Invocation {
  let found: { command: VerbName; opts: Opts } | undefined;
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
  return build(found.command, found.opts, stacks, catalogue);
}

/** Whether the command line asks for `--json`, for the error document of a command line that did not parse. */
export function wantsJsonArgv(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end < 0 ? argv : argv.slice(0, end)).includes("--json");
}

/** The stacks an invocation acts on; undefined for help. */
export function stacksOf(inv: Invocation): string[] | undefined {
  if (inv.command === "help") return undefined;
  return "stacks" in inv.args ? inv.args.stacks : [inv.args.stack];
}

/**
 * The stacks a command line acts on, by the same parser as the command (`present` when none is named, or when the
 * command line does not parse: its run refuses it before any stack is touched).
 */
export function stacksOfArgv(argv: readonly string[], present: readonly string[]): string[] {
  try {
    return stacksOf(parseArgv(argv, present)) ?? [...present];
  } catch {
    return [...present];
  }
}

/** The command tree alone (names, options, help), for documentation and for checking the workflows' invocations. */
export function buildProgram(): Command {
  return program(
    () => undefined,
    () => undefined,
  );
}
