// What a CLI verb is: its words, its help text and options, the parse of its options into the command's own argument
// type, and the run that turns those arguments into a result the entry prints. Each command module exports one; the
// CLI (automation/cli/verbs.ts) lists them once, for parsing and for dispatch.
import type { Deps } from "../deps";
import type { BreakGlass } from "../release/freeze";

/** Commander's parsed options of one command, before they are checked. */
export type Opts = Record<string, unknown>;

export interface OptionSpec {
  /** Commander flags, e.g. "--stack <name>" or "--json". */
  flags: string;
  help: string;
  /** May be given more than once (values collected); every other option with a value is refused when repeated. */
  repeatable?: boolean;
}

/** The command's outcome in a word (the `outcome` output of a GitHub Actions step). */
export type Outcome =
  | "promoted"
  | "unchanged"
  | "dry-run"
  | "ok"
  | "drift"
  | "failed"
  | "rolled-back"
  | "held"
  | "paused"
  | "refused-by-policy"
  | "locked"
  | "tampered"
  | "paused"
  | "timed-out";

/** What a command hands back to the entry: its exit code, its `--json` document, its text and its outcome. */
export interface Done {
  code: number;
  json: unknown;
  text: string;
  outcome: Outcome;
}

export interface Verb<A extends { json: boolean }> {
  /** The words after `slipway`: ["promote"], ["audit", "verify"]. */
  words: readonly string[];
  description: string;
  options: readonly OptionSpec[];
  /**
   * Checks the options; throws InputError naming the argument and the fix. Pure. `catalogue` names a stack's services
   * (its stack file's catalogue; default the default catalogue's).
   */
  parse(o: Opts, stacks: readonly string[], catalogue?: CatalogueOf): A;
  run(d: Deps, a: A): Promise<Done>;
}

/** The services of a stack's catalogue, as its stack file names them. */
export type CatalogueOf = (stack: string) => readonly string[];

export const JSON_OPTION: OptionSpec = { flags: "--json", help: "print one JSON document" };
/** Who approved a change made outside CI; in GitHub Actions the run's environment review is read instead. */
export const APPROVED_BY_OPTION: OptionSpec = {
  flags: "--approved-by <name>",
  help: "approver outside CI (journaled as unverified); in GitHub Actions the environment review is read instead",
};
export const VERBOSE_OPTION: OptionSpec = {
  flags: "--verbose",
  help: "print every advisory policy finding (default: one line per policy per update)",
};
/** `verbose: true` only when asked, so the parsed arguments of a plain command line stay as they were. */
export function verboseArg(o: Opts): { verbose?: true } {
  return o.verbose === true ? { verbose: true } : {};
}
export const STACKS_OPTION: OptionSpec = {
  flags: "--stack <name>",
  help: "stack to act on (repeat or comma-separate for several; default: every stack)",
  repeatable: true,
};

/** A freeze override is flagged on the first line of every result it touched. */
export function glassLine(b: BreakGlass | undefined): string {
  return b ? `BREAK-GLASS: freeze "${b.window.name}" (until ${b.window.end}) overridden: ${b.reason}\n` : "";
}
