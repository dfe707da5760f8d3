// `slipway history` as a table: one line per promotion (or update, remediation, abort), its steps folded into a
// count, with its version, outcome, start, duration in human units and who started it. `--verbose` prints the raw
// journal entries instead (history.ts).
import type { JournalEntry } from "../state/store";
import { humanDuration } from "../report/format";

export { humanDuration };

export interface HistoryRow {
  started: string;
  action: string;
  version: string;
  outcome: string;
  steps: string;
  duration: string;
  who: string;
  notes: string;
}

function outcomeOf(group: JournalEntry[], action: string): string {
  const end = group.filter((e) => e.event === "end").pop();
  if (end) {
    const word = end.status ?? (end.ok === false ? "FAILED" : "ok");
    return end.action !== action && end.action !== "recover" ? `${word} (${end.action})` : word;
  }
  const last = group.filter((e) => e.event === "outcome" && e.action !== "hook").pop();
  if (last) return last.ok === false ? "FAILED" : "ok";
  return "open";
}

function stepsOf(start: JournalEntry | undefined, group: JournalEntry[]): string {
  const steps = start?.steps;
  if (!steps || steps.length === 0) return "-";
  const ok = new Set(group.filter((e) => e.action === "step" && e.event === "outcome" && e.ok).map((e) => e.step));
  return `${ok.size}/${steps.length} of ${steps.join(",")}`;
}

function notesOf(start: JournalEntry | undefined, group: JournalEntry[]): string {
  const first = start ?? group[0];
  const reasons = [...new Set(group.map((e) => e.reason).filter((r): r is string => !!r))];
  const glass = first.evidence?.breakGlass;
  const approval = first.evidence?.approval;
  return [
    start?.action === "rollback" && start.stableVersion && `back from ${start.stableVersion}`,
    first.approvedBy && `approved by ${first.approvedBy}`,
    approval && (approval.verified ? "approval verified" : "approval UNVERIFIED"),
    glass && `BREAK-GLASS over "${glass.window.name}"`,
    ...reasons.map((r) => `reason: ${r}`),
  ]
    .filter(Boolean)
    .join("; ");
}

export function historyRows(entries: readonly JournalEntry[]): HistoryRow[] {
  const groups = new Map<string, JournalEntry[]>();
  for (const e of entries) {
    if (e.event === "genesis") continue;
    groups.set(e.promotionId, [...(groups.get(e.promotionId) ?? []), e]);
  }
  return [...groups.values()].map((group) => {
    const start = group.find((e) => e.event === "start");
    const first = start ?? group[0];
    const end = group.filter((e) => e.event === "end").pop();
    const ms = end?.durationMs ?? Date.parse(group[group.length - 1].at) - Date.parse(first.at);
    return {
      started: first.at,
      action: first.action,
      version: start?.version ?? group.find((e) => e.version)?.version ?? "-",
      outcome: outcomeOf(group, first.action),
      steps: stepsOf(start, group),
      duration: humanDuration(ms),
      who: first.evidence?.startedBy ?? first.host ?? "-",
      notes: notesOf(start, group),
    };
  });
}

const HEAD: HistoryRow = {
  started: "STARTED",
  action: "ACTION",
  version: "VERSION",
  outcome: "OUTCOME",
  steps: "STEPS",
  duration: "DURATION",
  who: "WHO",
  notes: "NOTES",
};
const COLUMNS = ["started", "action", "version", "outcome", "steps", "duration", "who"] as const;

export function historyTable(entries: readonly JournalEntry[]): string {
  const rows = historyRows(entries);
  if (rows.length === 0) return "no journal entries\n";
  const all = [HEAD, ...rows];
  const width = Object.fromEntries(COLUMNS.map((c) => [c, Math.max(...all.map((r) => r[c].length))]));
  return all
    .map((r) => [...COLUMNS.map((c) => r[c].padEnd(width[c])), r.notes].join("  ").trimEnd())
    .join("\n")
    .concat("\n");
}
