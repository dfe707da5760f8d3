// `slipway abort`: roll the canary of a stack back now (weight 0, canary cleared, stable untouched). After an
// irreversible hook ran in the open promotion it refuses unless --force: the old version may not read the database.
import type { AbortArgs } from "../cli/argv";
import { rollback } from "../release/canary";
import { rollbackPlan } from "../release/plan";
import type { Deps } from "../deps";
import { InputError } from "../errors";
import { holdAdvice, irreversibleReason } from "../release/hooks";
import { withStackLock } from "../state/lock";
import { irreversibleHookRan, openPromotion, PromotionRecord } from "../state/progress";
import { origin } from "../release/evidence";

export interface AbortResult {
  stack: string;
  rolledBack: boolean;
  canaryVersion?: string;
  /** The irreversible hook --force routed back past. */
  forcedPast?: string;
}

/** The irreversible hook of the open promotion that --force overrides; refuses without --force. */
function irreversibleGate(a: AbortArgs, open: PromotionRecord | undefined, hook: string | undefined): void {
  if (open === undefined || hook === undefined || a.force) return;
  throw new InputError(
    `${a.stack}: not rolled back: ${irreversibleReason(hook)}, and it ran in promotion ${open.promotionId} of ${open.version}; ${holdAdvice(a.stack, open.version)}`,
  );
}

export async function abort(d: Deps, a: AbortArgs): Promise<AbortResult> {
  return withStackLock(d, a.stack, "abort", async (s) => {
    const r = s.rel.config.release;
    const entries = await s.state.read();
    // An open promotion (interrupted or held) is closed by this abort, so the next promote starts clean.
    const open = openPromotion(entries);
    const hook = open && irreversibleHookRan(entries, open.promotionId);
    irreversibleGate(a, open, hook);
    const forced = hook && `--force: routed back although ${irreversibleReason(hook)}`;
    if (forced) d.progress(`${a.stack}: ${forced}`);
    const note = s.note(open?.promotionId ?? s.id);
    const end = { event: "end", action: "abort", status: "rolled-back", ok: true, reason: a.reason } as const;
    if (r.canaryVersion === undefined && r.canaryWeight === 0) {
      if (open === undefined) {
        d.progress(`${a.stack}: no canary runs; nothing to roll back`);
        return { stack: a.stack, rolledBack: false };
      }
      await note({
        ...end,
        detail: [`no canary traffic; closed promotion ${open.promotionId}`, forced].filter(Boolean).join("; "),
      });
      d.progress(`${a.stack}: no canary runs; closed the open promotion ${open.promotionId} of ${open.version}`);
      return { stack: a.stack, rolledBack: false, forcedPast: hook };
    }
    await rollback(d, s, note, rollbackPlan(s.rel, await d.engine.outputs(a.stack)), a.reason ?? "slipway abort", {
      action: "abort",
      version: r.canaryVersion,
      weight: r.canaryWeight,
      reason: a.reason,
      detail: forced,
      evidence: origin(d),
    });
    await note({ ...end, detail: forced });
    return { stack: a.stack, rolledBack: true, canaryVersion: r.canaryVersion, forcedPast: hook };
  });
}
