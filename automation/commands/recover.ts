// A driver killed mid-promotion leaves an open promotion in the journal. Default: roll back to safety (weight 0,
// canary cleared) and record "recovered: rolled back"; with --resume, continue after the last completed step.
// Pulumi's own leftovers (the dead update's lock, its pending creates) and the release record were settled first,
// under the lock (automation/state/lock.ts, reconcile.ts).
import type { Deps } from "../deps";
import { InputError } from "../errors";
import type { StackSession } from "../state/lock";
import { interrupted } from "../state/progress";
import { clearEngineLeftovers } from "../state/reconcile";
import { rollback } from "../release/canary";
import { rollbackPlan } from "../release/plan";

export interface Resumption {
  promotionId: string;
  steps: number[];
  services?: string[];
  from: number;
}

/** Returns where to resume, or undefined when there was nothing to recover or the canary was rolled back. */
export async function recoverIfInterrupted(
  d: Deps,
  s: StackSession,
  version: string,
  resume: boolean,
): Promise<Resumption | undefined> {
  const stack = s.stack;
  const open = interrupted(await s.state.read());
  if (open === undefined) {
    if (resume) throw new InputError(`--resume: ${stack} has no interrupted promotion to continue; drop --resume`);
    return undefined;
  }
  const note = s.note(open.promotionId);
  d.progress(
    `${stack}: promotion ${open.promotionId} of ${open.version} was interrupted at step ${(open.lastIntent?.step ?? -1) + 1}`,
  );
  await clearEngineLeftovers(d, stack);
  if (resume) {
    if (open.version !== version) {
      throw new InputError(
        `--resume: the interrupted promotion shipped ${open.version}, not ${version}; rerun with --version ${open.version}, or drop --resume to roll it back`,
      );
    }
    const from = open.completedSteps.length === 0 ? 0 : Math.max(...open.completedSteps) + 1;
    await note({ event: "outcome", action: "recover", status: "resumed", step: from, ok: true });
    d.progress(`${stack}: resuming ${open.version} at step ${from + 1}/${open.steps.length}`);
    return { promotionId: open.promotionId, steps: open.steps, services: open.services, from };
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
