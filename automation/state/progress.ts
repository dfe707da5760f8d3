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
}

const STARTS = new Set(["promote", "skip-canary"]);

export function promotions(entries: readonly JournalEntry[]): PromotionRecord[] {
  const byId = new Map<string, PromotionRecord>();
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
    if (e.event === "end") {
      p.status = e.status;
      p.endedAt = e.at;
    }
  }
  return [...byId.values()];
}

export function lastPromotion(entries: readonly JournalEntry[]): PromotionRecord | undefined {
  const all = promotions(entries);
  return all[all.length - 1];
}

/** A promotion without an end entry whose lock is gone: the driver was killed. */
export function interrupted(entries: readonly JournalEntry[]): PromotionRecord | undefined {
  const last = lastPromotion(entries);
  return last !== undefined && last.status === undefined ? last : undefined;
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
