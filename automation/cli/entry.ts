// The `slipway` entry: argv -> command -> output, and the only place errors become exit codes. Bad input is refused
// before the dependencies (and so the engine) are even built.
import { Invocation, parseArgv, wantsJsonArgv } from "./argv";
export { buildProgram } from "./argv";
import type { Deps } from "../deps";
import type { CatalogueOf, Done, Outcome, Verb } from "../commands/command";
import { EXIT, exitCodeOf, errorText, SlipwayError } from "../errors";
import { VERBS } from "./verbs";

export type { Outcome } from "../commands/command";

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The command's outcome in a word (the `outcome` output of a GitHub Actions step). */
  outcome?(word: Outcome): void;
  /** The services of a stack's catalogue (its stack file); default the default catalogue's. */
  catalogue?: CatalogueOf;
}

const FAILED: Record<string, Outcome> = {
  "rolled-back": "rolled-back",
  held: "held",
  policy: "refused-by-policy",
  locked: "locked",
};
function failedOutcome(err: unknown): Outcome {
  return (err instanceof SlipwayError && FAILED[err.kind]) || "failed";
}

/** The one dispatch: the verb table maps each command to its run. */
function dispatch(inv: Exclude<Invocation, { command: "help" }>, d: Deps): Promise<Done> {
  const verb = VERBS[inv.command] as Verb<{ json: boolean }>;
  return verb.run(d, inv.args);
}

/** The `--json` document of a failure: `error.code` is the exit code, `error.kind` the errors.ts kind. */
function errorDocument(err: unknown, code: number): string {
  const kind = err instanceof SlipwayError ? err.kind : "engine";
  const detail = err instanceof SlipwayError ? err.detail : {};
  const doc = { ok: false, exitCode: code, error: { code, kind, message: errorText(err), ...detail } };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * Runs one invocation; resolves to the exit code. `makeDeps` is only called for valid input, with the parsed
 * invocation (the stacks it acts on: argv.ts `stacksOf`).
 */
export async function run(
  argv: readonly string[],
  stacks: readonly string[],
  makeDeps: (inv: Invocation) => Promise<Deps>,
  io: Io,
): Promise<number> {
  let inv: Invocation | undefined;
  try {
    inv = parseArgv(argv, stacks, io.catalogue);
    if (inv.command === "help") {
      io.stdout(inv.text);
      return EXIT.ok;
    }
    const done = await dispatch(inv, await makeDeps(inv));
    io.stdout(inv.args.json ? `${JSON.stringify(done.json, null, 2)}\n` : done.text);
    io.outcome?.(done.outcome);
    return done.code;
  } catch (err) {
    const code = exitCodeOf(err);
    io.outcome?.(failedOutcome(err));
    io.stderr(`slipway: ${errorText(err)}\n`);
    const json = inv === undefined ? wantsJsonArgv(argv) : inv.command !== "help" && inv.args.json;
    if (json) io.stdout(errorDocument(err, code));
    return code;
  }
}
