// The `slipway` entry: argv -> command -> output, and the only place errors become exit codes. Bad input is refused
// before the dependencies (and so the engine) are even built.
import { abort } from "../commands/abort";
import { Invocation, parseArgv } from "./argv";
export { buildProgram } from "./argv";
import type { Deps } from "../deps";
import { drift } from "../commands/drift";
import { EXIT, exitCodeOf, errorText, SlipwayError } from "../errors";
import { history, historyText } from "../commands/history";
import { preview } from "../commands/preview";
import { promote, PromoteResult } from "../commands/promote";
import { planText } from "../release/plan";
import { status, statusText } from "../commands/status";
import { up } from "../commands/up";
import { auditVerify, auditVerifyText } from "../commands/auditVerify";
import { auditExport } from "../commands/auditExport";
import type { BreakGlass } from "../release/freeze";

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The command's outcome in a word (the `outcome` output of a GitHub Actions step). */
  outcome?(word: Outcome): void;
}
export type Outcome =
  | "promoted"
  | "unchanged"
  | "dry-run"
  | "ok"
  | "drift"
  | "failed"
  | "rolled-back"
  | "held"
  | "refused-by-policy"
  | "locked"
  | "tampered";
interface Done {
  code: number;
  json: unknown;
  text: string;
  outcome: Outcome;
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

/** A freeze override is flagged on the first line of every result it touched. */
function glass(b: BreakGlass | undefined): string {
  return b ? `BREAK-GLASS: freeze "${b.window.name}" (until ${b.window.end}) overridden: ${b.reason}\n` : "";
}

function promoteText(r: PromoteResult): string {
  return glass(r.breakGlass) + promoteLine(r);
}

function promoteLine(r: PromoteResult): string {
  if (r.status === "dry-run") return planText(r.plan);
  if (r.status === "unchanged") return `${r.stack} already runs ${r.version}\n`;
  const head = r.journalHead ? `; journal head ${r.journalHead}` : "";
  return `${r.version} promoted to ${r.stack} (${r.skipCanary ? "canary skipped" : `${r.steps.length} steps`}, ${r.durationMs} ms)${head}\n`;
}

async function dispatch(inv: Exclude<Invocation, { command: "help" }>, d: Deps): Promise<Done> {
  switch (inv.command) {
    case "promote": {
      const r = await promote(d, inv.args);
      return {
        code: EXIT.ok,
        json: r,
        text: promoteText(r),
        outcome: r.status === "completed" ? "promoted" : r.status,
      };
    }
    case "preview": {
      const r = await preview(d, inv.args);
      return { code: EXIT.ok, json: r, text: d.renderers.previewText(r), outcome: "ok" };
    }
    case "up": {
      const r = await up(d, inv.args);
      return {
        code: EXIT.ok,
        json: r,
        text: `${glass(r.breakGlass)}${r.stack}: updated, ${r.changes.length} changes (${r.durationMs} ms)\n`,
        outcome: "ok",
      };
    }
    case "status": {
      const r = await status(d, inv.args);
      return { code: EXIT.ok, json: r, text: statusText(r), outcome: "ok" };
    }
    case "abort": {
      const r = await abort(d, inv.args);
      return {
        code: EXIT.ok,
        json: r,
        text:
          (r.rolledBack ? `${r.stack}: canary ${r.canaryVersion} rolled back` : `${r.stack}: no canary to roll back`) +
          (r.forcedPast ? ` (--force past the irreversible hook ${r.forcedPast})\n` : "\n"),
        outcome: "ok",
      };
    }
    case "drift": {
      const r = await drift(d, inv.args);
      const text =
        d.renderers.driftText(r.results) + (r.remediated.length ? `remediated: ${r.remediated.join(", ")}\n` : "");
      return { code: r.drifted ? EXIT.drift : EXIT.ok, json: r, text, outcome: r.drifted ? "drift" : "ok" };
    }
    case "history": {
      const r = await history(d, inv.args);
      return { code: EXIT.ok, json: r, text: historyText(r), outcome: "ok" };
    }
    case "audit-verify": {
      const r = await auditVerify(d, inv.args);
      return {
        code: r.ok ? EXIT.ok : EXIT.tampered,
        json: r,
        text: auditVerifyText(r),
        outcome: r.ok ? "ok" : "tampered",
      };
    }
    case "audit-export": {
      const r = await auditExport(d, inv.args);
      const chain = r.chainOk
        ? "journal chain intact"
        : "journal chain BROKEN (see the export; slipway audit verify exits 6)";
      return {
        code: EXIT.ok,
        json: r,
        text: `${r.stack}: ${r.records} change records written to ${r.out}; ${chain}\n`,
        outcome: "ok",
      };
    }
  }
}

function wantsJson(inv: Invocation | undefined): boolean {
  return inv !== undefined && inv.command !== "help" && inv.args.json;
}

/** Runs one invocation; resolves to the exit code. `makeDeps` is only called for valid input. */
export async function run(
  argv: readonly string[],
  stacks: readonly string[],
  makeDeps: () => Promise<Deps>,
  io: Io,
): Promise<number> {
  let inv: Invocation | undefined;
  try {
    inv = parseArgv(argv, stacks);
    if (inv.command === "help") {
      io.stdout(inv.text);
      return EXIT.ok;
    }
    const done = await dispatch(inv, await makeDeps());
    io.stdout(inv.args.json ? `${JSON.stringify(done.json, null, 2)}\n` : done.text);
    io.outcome?.(done.outcome);
    return done.code;
  } catch (err) {
    const code = exitCodeOf(err);
    io.outcome?.(failedOutcome(err));
    io.stderr(`slipway: ${errorText(err)}\n`);
    if (wantsJson(inv)) {
      const kind = err instanceof SlipwayError ? err.kind : "engine";
      const detail = err instanceof SlipwayError ? err.detail : {};
      io.stdout(
        `${JSON.stringify({ ok: false, exitCode: code, error: { kind, message: errorText(err), ...detail } }, null, 2)}\n`,
      );
    }
    return code;
  }
}
