// `slipway abort`: roll the canary of a stack back now (weight 0, canary cleared, stable untouched).
import type { AbortArgs } from "../cli/argv";
import { rollback } from "../release/canary";
import { rollbackPlan } from "../release/plan";
import type { Deps } from "../deps";
import { withStackLock } from "../state/lock";
import { interrupted } from "../state/progress";
import { origin } from "../release/evidence";

export interface AbortResult {
  stack: string;
  rolledBack: boolean;
  canaryVersion?: string;
}

export async function abort(d: Deps, a: AbortArgs): Promise<AbortResult> {
  return withStackLock(d, a.stack, "abort", async (s) => {
    const r = s.rel.config.release;
    if (r.canaryVersion === undefined && r.canaryWeight === 0) {
      d.progress(`${a.stack}: no canary runs; nothing to roll back`);
      return { stack: a.stack, rolledBack: false };
    }
    // An interrupted promotion is closed by this rollback, so the next promote starts clean.
    const open = interrupted(await s.state.read());
    const note = s.note(open?.promotionId ?? s.id);
    await rollback(d, s, note, rollbackPlan(s.rel, await d.engine.outputs(a.stack)), a.reason ?? "slipway abort", {
      action: "abort",
      version: r.canaryVersion,
      weight: r.canaryWeight,
      reason: a.reason,
      evidence: origin(d),
    });
    await note({ event: "end", action: "abort", status: "rolled-back", ok: true, reason: a.reason });
    return { stack: a.stack, rolledBack: true, canaryVersion: r.canaryVersion };
  });
}
