// A driver killed mid-promotion leaves an open promotion in the journal. Default: roll back to safety (weight 0,
// canary cleared) and record "recovered: rolled back"; with --resume, continue after the last completed step. After an
// irreversible hook ran it holds instead (journal "held", exit 3): the old version may not read the database. A held
// promotion stays open the same way: --resume continues it. Pulumi's own leftovers (the dead update's lock, its pending
// creates) and the release record were settled first, under the lock (automation/state/lock.ts, reconcile.ts). A
// rollback killed the same way is finished before anything else (automation/release/revert.ts).
import type { Deps } from "../deps";
import { InputError } from "../errors";
import type { StackSession } from "../state/lock";
import { irreversibleHookRan, openPromotion, PromotionRecord } from "../state/progress";
import { clearEngineLeftovers } from "../state/reconcile";
import { rollback } from "../release/canary";
import { heldError, hold, irreversibleReason } from "../release/hooks";
import { rollbackPlan } from "../release/plan";
import { finishInterruptedRollback } from "../release/revert";

export interface Resumption {
  promotionId: string;
  steps: number[];
  services?: string[];
  from: number;
  /** Indices of the steps after which the promotion pauses for a person. */
  pauseAfter?: number[];
  /** The GitHub deployment the promotion created (a continue posts to it). */
  deploymentId?: number;
}

function stoppedLine(s: StackSession, open: PromotionRecord, hook: string | undefined): string {
  const at = `${s.rel.config.release.canaryWeight}%`;
  if (open.status === "held")
    return `${s.stack}: promotion ${open.promotionId} of ${open.version} is held at ${at} (${irreversibleReason(hook ?? "?")})`;
  return `${s.stack}: promotion ${open.promotionId} of ${open.version} was interrupted at step ${(open.lastIntent?.step ?? -1) + 1}`;
}

function resumption(d: Deps, s: StackSession, open: PromotionRecord, version: string, hook?: string): Resumption {
  if (open.version !== version) {
    const instead = hook ? `route back with slipway abort --stack ${s.stack} --force` : "drop --resume to roll it back";
    throw new InputError(
      `--resume: the ${open.status === "held" ? "held" : "interrupted"} promotion shipped ${open.version}, not ${version}; rerun with --version ${open.version}, or ${instead}`,
    );
  }
  const from = open.completedSteps.length === 0 ? 0 : Math.max(...open.completedSteps) + 1;
  d.progress(`${s.stack}: resuming ${open.version} at step ${from + 1}/${open.steps.length}`);
  const { promotionId, steps, services, pauseAfter, deploymentId } = open;
  return { promotionId, steps, services, from, pauseAfter, deploymentId };
}

/** Returns where to resume, or undefined when there was nothing to recover or the canary was rolled back. */
export async function recoverIfInterrupted(
  d: Deps,
  s: StackSession,
  version: string,
  resume: boolean,
): Promise<Resumption | undefined> {
  const stack = s.stack;
  let entries = await s.state.read();
  // A rollback whose driver stopped goes first: the stack returns to its target, then the promotion starts from there.
  if (await finishInterruptedRollback(d, s, entries)) entries = await s.state.read();
  const open = openPromotion(entries);
  if (open === undefined) {
    if (resume) throw new InputError(`--resume: ${stack} has no interrupted promotion to continue; drop --resume`);
    return undefined;
  }
  if (open.status === "paused")
    throw new InputError(
      `${stack}: promotion ${open.promotionId} of ${open.version} is paused at ${s.rel.config.release.canaryWeight}% for a person: ` +
        `continue it with slipway promote --stack ${stack} --continue, or roll it back with slipway abort --stack ${stack}`,
    );
  const note = s.note(open.promotionId);
  const hook = irreversibleHookRan(entries, open.promotionId);
  d.progress(stoppedLine(s, open, hook));
  await clearEngineLeftovers(d, stack);
  if (resume) {
    const r = resumption(d, s, open, version, hook);
    await note({ event: "outcome", action: "recover", status: "resumed", step: r.from, ok: true });
    return r;
  }
  if (hook !== undefined) {
    const h = { stack, version: open.version, weight: s.rel.config.release.canaryWeight, hook };
    if (open.status === "held") throw heldError({ ...h, cause: `promotion ${open.promotionId} was held` });
    throw await hold(d, note, { ...h, cause: `the driver of promotion ${open.promotionId} stopped` });
  }
  await rollback(
    d,
    s,
    note,
    rollbackPlan(s.rel, await d.engine.outputs(stack)),
    `recovering interrupted promotion ${open.promotionId}`,
  );
  await note({ event: "end", action: "recover", status: "recovered: rolled back", ok: true });
  d.progress(`${stack}: recovered: rolled back the interrupted canary of ${open.version}`);
  return undefined;
}
