// A journal of promotions for the delivery figures' tests.
import type { JournalEntry } from "../../../automation/state/store";

export type Run = [id: string, start: string, end: string | undefined, status: string | undefined, commit?: string];

/** A journal of promotions: a start (with its commit) and, when given, an end with that status. */
export function journalOf(stack: string, runs: Run[]): JournalEntry[] {
  return runs.flatMap(([id, start, end, status, commit]) => {
    const s: JournalEntry = {
      at: start,
      promotionId: id,
      stack,
      event: "start",
      action: "promote",
      version: `1.0.${id.slice(1)}`,
      evidence: commit ? { commit } : undefined,
    };
    if (end === undefined) return [s];
    return [s, { at: end, promotionId: id, stack, event: "end", action: "promote", status: status as "completed" }];
  });
}
