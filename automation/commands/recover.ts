// A driver killed mid-promotion leaves an open promotion in the journal. Default: roll back to safety (weight 0,
// canary cleared) and record "recovered: rolled back"; with --resume, continue after the last completed step.
// Either way Pulumi's own leftovers go first: its stack lock (the dead update's; our lock proves no slipway
// driver runs) and pending operations (a refresh that clears pending creates).
import type { Deps } from "../deps";
import { InputError } from "../errors";
import type { StackState } from "../state/journal";
import { interrupted } from "../state/progress";
import { rollback, journal } from "../release/canary";

export interface Resumption {
  promotionId: string;
  steps: number[];
  services?: string[];
  from: number;
}

async function clearEngineLeftovers(d: Deps, stack: string): Promise<void> {
  try {
    await d.engine.cancel(stack);
    d.progress(`${stack}: cleared the lock a killed update left on the stack`);
  } catch {
    // `pulumi cancel` fails when no update holds the stack: nothing was left behind.
  }
  const pending = await d.engine.pendingOperations(stack);
  if (pending > 0) {
    d.progress(`${stack}: ${pending} pending operations left by the killed update; refreshing with clear-pending-creates`);
    await d.engine.refresh(stack, { clearPendingCreates: true });
  }
}

/** Returns where to resume, or undefined when there was nothing to recover or the canary was rolled back. */
export async function recoverIfInterrupted(d: Deps, state: StackState, stack: string, version: string, resume: boolean): Promise<Resumption | undefined> {
  const open = interrupted(await state.read());
  if (open === undefined) {
    if (resume) throw new InputError(`--resume: ${stack} has no interrupted promotion to continue; drop --resume`);
    return undefined;
  }
  const note = journal(d, state, stack, open.promotionId);
  d.progress(`${stack}: promotion ${open.promotionId} of ${open.version} was interrupted at step ${(open.lastIntent?.step ?? -1) + 1}`);
  await clearEngineLeftovers(d, stack);
  if (resume) {
    if (open.version !== version) {
      throw new InputError(`--resume: the interrupted promotion shipped ${open.version}, not ${version}; rerun with --version ${open.version}, or drop --resume to roll it back`);
    }
    const from = open.completedSteps.length === 0 ? 0 : Math.max(...open.completedSteps) + 1;
    await note({ event: "outcome", action: "recover", status: "resumed", step: from, ok: true });
    d.progress(`${stack}: resuming ${open.version} at step ${from + 1}/${open.steps.length}`);
    return { promotionId: open.promotionId, steps: open.steps, services: open.services, from };
  }
  const raw = await d.engine.getConfig(stack);
  await rollback(d, stack, raw, await d.engine.outputs(stack), `recovering interrupted promotion ${open.promotionId}`);
  await note({ event: "end", action: "recover", status: "recovered: rolled back", ok: true });
  d.progress(`${stack}: recovered: rolled back the interrupted canary of ${open.version}`);
  return undefined;
}
