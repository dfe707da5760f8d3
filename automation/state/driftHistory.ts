// The drift history of a stack from its journal's drift checks (action "drift"): the last check, and the drift still
// open since the last clean check (first seen, last seen, for how long). Pure.
import type { JournalEntry } from "./store";

export interface DriftHistory {
  /** The last check: when, and whether it found drift. */
  lastCheck?: { at: string; status: "drifted" | "clean"; run?: string };
  /** The drift still open (no clean check since it was first seen): first and last seen, and for how long. */
  open?: { firstSeen: string; lastSeen: string; forMs: number; checks: number };
}

/** From the stack's drift entries: the last check, and the open drift since the last clean check. */
export function driftHistory(entries: readonly JournalEntry[]): DriftHistory {
  const checks = entries.filter((e) => e.action === "drift" && (e.status === "drifted" || e.status === "clean"));
  const last = checks.at(-1);
  if (last === undefined) return {};
  const lastCheck = { at: last.at, status: last.status as "drifted" | "clean", run: last.evidence?.run?.url };
  if (last.status !== "drifted") return { lastCheck };
  let first = checks.length - 1;
  while (first > 0 && checks[first - 1].status === "drifted") first -= 1;
  const since = checks.slice(first);
  return {
    lastCheck,
    open: {
      firstSeen: since[0].at,
      lastSeen: last.at,
      forMs: Date.parse(last.at) - Date.parse(since[0].at),
      checks: since.length,
    },
  };
}
