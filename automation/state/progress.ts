// Reading the journal back: where the last promotion of a stack got to. Pure functions over journal entries.
import type { JournalEntry, JournalStatus } from "./store";

export interface PromotionRecord {
  promotionId: string;
  action: "promote" | "skip-canary";
  version: string;
  stableVersion?: string;
  steps: number[];
  /** Indices of the steps after which the promotion pauses for a person. */
  pauseAfter?: number[];
  services?: string[];
  approvedBy?: string;
  /** Who started it (the run's actor in CI, the local user elsewhere): four-eyes counts them at a continue. */
  startedBy?: string;
  /** The GitHub deployment the promotion created, when it ran in GitHub Actions. */
  deploymentId?: number;
  /** Where a paused promotion stopped: the step and weight traffic stays at. */
  pausedAt?: { step: number; weight: number };
  reason?: string;
  /** The reason a change freeze was overridden, when it was. */
  breakGlass?: string;
  startedAt: string;
  /** Undefined while running, or when the driver was killed. */
  status?: JournalStatus;
  endedAt?: string;
  /** Indices of steps whose outcome was ok. */
  completedSteps: number[];
  /** The last step an intent was written for. */
  lastIntent?: { step: number; weight: number };
  /**
   * The first irreversible hook that ran ok, or whose run has no outcome (the driver died while its Job ran, and the
   * Job may have finished without it): from then on the promotion holds instead of rolling back.
   */
  irreversibleHook?: string;
}

const STARTS = new Set(["promote", "skip-canary"]);

export function promotions(entries: readonly JournalEntry[]): PromotionRecord[] {
  const byId = new Map<string, PromotionRecord>();
  const hookRunning = new Map<string, string>();
  for (const e of entries) {
    if (e.event === "start" && STARTS.has(e.action)) {
      byId.set(e.promotionId, {
        promotionId: e.promotionId,
        action: e.action as PromotionRecord["action"],
        version: e.version ?? "",
        stableVersion: e.stableVersion,
        steps: e.steps ?? [],
        pauseAfter: e.pauseAfter,
        services: e.services,
        startedBy: e.evidence?.startedBy,
        deploymentId: e.evidence?.deployment?.id,
        approvedBy: e.approvedBy,
        reason: e.reason,
        breakGlass: e.evidence?.breakGlass?.reason,
        startedAt: e.at,
        completedSteps: [],
      });
      continue;
    }
    const p = byId.get(e.promotionId);
    if (p === undefined) continue;
    if (e.action === "step" && e.event === "intent" && e.step !== undefined) {
      p.lastIntent = { step: e.step, weight: e.weight ?? 0 };
    }
    if (e.action === "step" && e.event === "outcome" && e.ok && e.step !== undefined) p.completedSteps.push(e.step);
    if (e.action === "hook") noteHook(p, e, hookRunning);
    if (e.event === "end") {
      p.status = e.status;
      p.endedAt = e.at;
      p.pausedAt = e.status === "paused" ? { step: e.step ?? -1, weight: e.weight ?? 0 } : undefined;
    }
    // A held promotion that is resumed, or a paused one continued, runs again: open until its next end.
    if ((e.action === "recover" || e.action === "continue") && e.status === "resumed") {
      p.status = undefined;
      p.endedAt = undefined;
      p.pausedAt = undefined;
    }
  }
  for (const [id, hook] of hookRunning) byId.get(id)!.irreversibleHook ??= hook;
  return [...byId.values()];
}

function noteHook(p: PromotionRecord, e: JournalEntry, running: Map<string, string>): void {
  if (e.event === "intent" && e.irreversible && e.hook !== undefined) running.set(p.promotionId, e.hook);
  if (e.event !== "outcome") return;
  running.delete(p.promotionId);
  if (e.ok && e.irreversible && e.hook !== undefined) p.irreversibleHook ??= e.hook;
}

export function lastPromotion(entries: readonly JournalEntry[]): PromotionRecord | undefined {
  const all = promotions(entries);
  return all[all.length - 1];
}

const OPEN = new Set<JournalStatus | undefined>([undefined, "held", "paused"]);

/**
 * The last promotion when it is still open: without an end entry (its lock gone: the driver was killed), held after
 * an irreversible hook, or paused for a person. The next promote resumes it (--resume), continues it (--continue,
 * paused) or recovers it; abort closes it.
 */
export function openPromotion(entries: readonly JournalEntry[]): PromotionRecord | undefined {
  const last = lastPromotion(entries);
  return last !== undefined && OPEN.has(last.status) ? last : undefined;
}

/**
 * The irreversible hook after which promotion `promotionId` must not route back to the old version: the first one that
 * ran ok, or whose run was cut off with no outcome journaled. Every command decides from the journal alone, so a fresh
 * runner decides as the one that ran the hook would have.
 */
export function irreversibleHookRan(entries: readonly JournalEntry[], promotionId: string): string | undefined {
  return promotions(entries).find((p) => p.promotionId === promotionId)?.irreversibleHook;
}

/**
 * Whether the previous stage ran `version` healthily for at least `soakMs`: its last completed promotion shipped
 * that version, nothing rolled it back since, and the soak time has elapsed.
 */
export function stageReadiness(
  entries: readonly JournalEntry[],
  version: string,
  now: number,
  soakMs: number,
): { ok: true } | { ok: false; why: string } {
  const done = promotions(entries).filter((p) => p.status === "completed");
  const last = done[done.length - 1];
  if (last === undefined || last.version !== version) {
    return {
      ok: false,
      why: last ? `its last completed promotion shipped ${last.version}` : "it has no completed promotion",
    };
  }
  const healthyFor = now - Date.parse(last.endedAt ?? last.startedAt);
  // No soak asked: another runner's clock a little behind the one that ended the promotion must not refuse it.
  if (soakMs > 0 && healthyFor < soakMs) {
    return {
      ok: false,
      why: `it has run ${version} for ${Math.round(healthyFor / 1000)}s of the ${Math.round(soakMs / 1000)}s soak`,
    };
  }
  return { ok: true };
}
