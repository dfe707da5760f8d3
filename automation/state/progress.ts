// Reading the journal back: where the last promotion of a stack got to. Pure functions over journal entries.
import type { JournalEntry, JournalStatus } from "./store";

export interface PromotionRecord {
  promotionId: string;
  action: "promote" | "skip-canary";
  version: string;
  stableVersion?: string;
  steps: number[];
  services?: string[];
  approvedBy?: string;
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
        services: e.services,
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
    }
    // A held promotion that is resumed runs again: open until its next end.
    if (e.action === "recover" && e.status === "resumed") {
      p.status = undefined;
      p.endedAt = undefined;
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

/**
 * The last promotion when it is still open: without an end entry (its lock gone: the driver was killed) or held after
 * an irreversible hook. The next promote resumes it (--resume) or recovers it; abort closes it.
 */
export function openPromotion(entries: readonly JournalEntry[]): PromotionRecord | undefined {
  const last = lastPromotion(entries);
  return last !== undefined && (last.status === undefined || last.status === "held") ? last : undefined;
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
