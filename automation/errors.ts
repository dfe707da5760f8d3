// The one error taxonomy of the driver. Commands throw these; only the CLI entry (automation/cli/entry.ts) turns them into
// exit codes, so every command stays a plain async function that tests can call directly.

export type ErrorKind = "input" | "engine" | "rolled-back" | "held" | "policy" | "locked";

export abstract class SlipwayError extends Error {
  abstract readonly kind: ErrorKind;
  /** Extra fields for the `--json` document (never secrets). */
  readonly detail: Record<string, unknown>;
  constructor(message: string, detail: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.detail = detail;
  }
}

/** Bad arguments or configuration: refused before the engine is asked anything. */
export class InputError extends SlipwayError {
  readonly kind = "input";
}

/** The engine, the backend or the cluster failed; the message names the cause and what to do. */
export class EngineError extends SlipwayError {
  readonly kind = "engine";
}

/** The canary failed a gate (or was interrupted) and has been rolled back to the stable track. */
export class RolledBackError extends SlipwayError {
  readonly kind = "rolled-back";
}

/**
 * The canary failed (or its driver died) after an irreversible hook ran: instead of routing back to a version that may
 * not read what the hook changed, traffic stays where it is and the canary is frozen. Built by release/hooks.ts `held`.
 */
export class HeldError extends SlipwayError {
  readonly kind = "held";
}

/** A mandatory policy refused the change. */
export class PolicyError extends SlipwayError {
  readonly kind = "policy";
}

/**
 * A Job the driver was about to run (a release hook, a `job` gate) was refused by a mandatory policy before it was
 * created: nothing ran, so the promotion stops where it is instead of rolling back (exit code 4, as any refusal).
 */
export class JobRefusedError extends PolicyError {}

/** Another promotion or update holds the stack. */
export class LockedError extends SlipwayError {
  readonly kind = "locked";
}

/**
 * Exit codes (docs/design.md, docs/cli.md); `drift`, `tampered`, `paused` and `timedOut` are results, not errors: 2 when drift or
 * pending changes were asked for and found, 6 when `slipway audit verify` finds the journal's hash chain broken, 7
 * and 8 when a promotion paused for a person (traffic stays; `promote --continue`
 * goes on, `abort` rolls back), or `wait` finds one still running at its timeout.
 */
export const EXIT = {
  ok: 0,
  error: 1,
  drift: 2,
  rolledBack: 3,
  policy: 4,
  locked: 5,
  tampered: 6,
  /** `wait` and `status --watch`: the promotion is paused (a pause entry in its journal). */
  paused: 7,
  /** `wait` and `status --watch`: the promotion had not ended when `--timeout` ran out. */
  timedOut: 8,
} as const;

export function exitCodeOf(err: unknown): number {
  if (!(err instanceof SlipwayError)) return EXIT.error;
  switch (err.kind) {
    case "rolled-back":
    case "held":
      return EXIT.rolledBack;
    case "policy":
      return EXIT.policy;
    case "locked":
      return EXIT.locked;
    default:
      return EXIT.error;
  }
}

const MAX_ERROR_LINES = 20;

/**
 * An error as the user reads it: the lines of its message (an engine error lists each cause on its own line), blank
 * lines dropped, at most MAX_ERROR_LINES so an engine dump never floods a CI log.
 */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const lines = text
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== "");
  if (lines.length === 0) return "unknown error";
  const shown = lines.slice(0, MAX_ERROR_LINES).join("\n").trim();
  return lines.length > MAX_ERROR_LINES ? `${shown}\n(${lines.length - MAX_ERROR_LINES} more lines)` : shown;
}
