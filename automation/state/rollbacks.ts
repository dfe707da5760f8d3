// Reading the journal back for `slipway rollback`: which versions a stack ran to completion, which one a rollback
// returns to by default, the rollbacks themselves, and the database snapshot taken before a release. Pure functions
// over journal entries (read from a verified journal: the caller checks the chain first).
import { SERVICE_NAMES } from "../../contract/release";
import { promotions } from "./progress";
import type { JournalEntry, JournalStatus, RestoreFrom } from "./store";

export interface RollbackRecord {
  rollbackId: string;
  /** The version the stack served when the rollback started, and the one it returned to. */
  from: string;
  to: string;
  reason?: string;
  startedAt: string;
  /** True once the update that moved the stable track applied (the stack serves `to` from then on). */
  applied: boolean;
  status?: JournalStatus;
  endedAt?: string;
  /** The database restore its update applies (--restore-database), as its intent announced it. */
  restoreFrom?: RestoreFrom;
}

export function rollbacks(entries: readonly JournalEntry[]): RollbackRecord[] {
  const byId = new Map<string, RollbackRecord>();
  for (const e of entries) {
    if (e.event === "start" && e.action === "rollback") {
      byId.set(e.promotionId, {
        rollbackId: e.promotionId,
        from: e.stableVersion ?? "",
        to: e.version ?? "",
        reason: e.reason,
        startedAt: e.at,
        applied: false,
      });
      continue;
    }
    const r = byId.get(e.promotionId);
    if (r === undefined) continue;
    // The outcome of the update that moved the stable track names the version (a canary's rollback outcome does not).
    if (e.event === "outcome" && e.action === "rollback" && e.ok === true && e.version !== undefined) r.applied = true;
    if (e.event === "end") Object.assign(r, { status: e.status, endedAt: e.at });
    if (e.event === "intent" && e.release?.restoreFrom !== undefined) r.restoreFrom = e.release.restoreFrom;
  }
  return [...byId.values()];
}

const CHANGE_STARTS = new Set(["promote", "skip-canary", "rollback"]);

/**
 * The rollback whose driver stopped before it ended: the stack's last change is a rollback with no end. A running one
 * holds the stack's lock, so a command that holds the lock and finds one knows its driver is gone.
 */
export function openRollback(entries: readonly JournalEntry[]): RollbackRecord | undefined {
  const last = [...entries].reverse().find((e) => e.event === "start" && CHANGE_STARTS.has(e.action));
  if (last?.action !== "rollback") return undefined;
  const r = rollbacks(entries).find((x) => x.rollbackId === last.promotionId);
  return r?.status === undefined ? r : undefined;
}

export function lastRollback(entries: readonly JournalEntry[]): RollbackRecord | undefined {
  return rollbacks(entries).at(-1);
}

/** Every version a promotion of this stack took to completion (stable), oldest first, each once. */
export function completedVersions(entries: readonly JournalEntry[]): string[] {
  const done = promotions(entries).filter((p) => p.status === "completed");
  return [...new Set(done.map((p) => p.version))];
}

/**
 * The stack's good versions, newest last: each completed promotion of every service moves its version to the end; a
 * rollback that applied drops the version it backed out (until a promotion completes it again) and moves its target
 * to the end. The default rollback target is the newest of them that is not serving.
 */
export function goodVersions(entries: readonly JournalEntry[], whole: readonly string[] = SERVICE_NAMES): string[] {
  const ends = new Map<string, { at: number; apply: (good: string[]) => string[] }>();
  for (const p of promotions(entries)) {
    const all = p.services === undefined || whole.every((s) => p.services!.includes(s));
    if (p.status !== "completed" || !all) continue;
    ends.set(p.promotionId, {
      at: entries.findIndex((e) => e.promotionId === p.promotionId && e.event === "end"),
      apply: (good) => [...good.filter((v) => v !== p.version), p.version],
    });
  }
  for (const r of rollbacks(entries)) {
    if (!r.applied) continue;
    ends.set(r.rollbackId, {
      at: entries.findIndex(
        (e) =>
          e.promotionId === r.rollbackId && e.action === "rollback" && e.event === "outcome" && e.version !== undefined,
      ),
      apply: (good) => [...good.filter((v) => v !== r.from && v !== r.to), r.to],
    });
  }
  return [...ends.values()].sort((a, b) => a.at - b.at).reduce((good, x) => x.apply(good), [] as string[]);
}

/**
 * The version a rollback returns to by default: the newest good version that is not the one serving. `whole` is the
 * stack's whole release (its catalogue's canaried services): only a promotion that shipped all of them made a version
 * good.
 */
export function previousGood(
  entries: readonly JournalEntry[],
  serving: string,
  whole: readonly string[] = SERVICE_NAMES,
): string | undefined {
  return goodVersions(entries, whole)
    .filter((v) => v !== serving)
    .at(-1);
}

/**
 * The database snapshot taken before the release of `version` (its last completed promotion's backup entry,
 * `snapshot <id>`), and that promotion's id; undefined when none was journaled.
 */
export function snapshotBefore(
  entries: readonly JournalEntry[],
  version: string,
): { snapshotId: string; promotionId: string } | undefined {
  const done = promotions(entries).filter((p) => p.status === "completed" && p.version === version);
  for (const p of done.reverse()) {
    const backup = entries.find(
      (e) => e.promotionId === p.promotionId && e.action === "backup" && e.ok === true && e.event === "outcome",
    );
    const id = /^snapshot (\S+)$/.exec(backup?.detail ?? "")?.[1];
    if (id !== undefined) return { snapshotId: id, promotionId: p.promotionId };
  }
  return undefined;
}
