// `slipway abort`: roll the canary of a stack back now (weight 0, canary cleared, stable untouched). While another
// job's promotion holds the stack (a canary step's interval, the bake window), the abort is a request that promotion
// reads at its next check and answers with its own rollback; this command waits for that answer.
import type { AbortArgs } from "../cli/argv";
import { rollback } from "../release/canary";
import { rollbackPlan } from "../release/plan";
import type { Deps } from "../deps";
import { withStackLock } from "../state/lock";
import { interrupted } from "../state/progress";
import { origin } from "../release/evidence";
import { LockedError } from "../errors";
import type { JournalEntry } from "../state/store";

/** How long an abort waits for the promotion holding the lock to answer its request: one update and its check. */
export const ABORT_WAIT_MS = 15 * 60_000;
const POLL_MS = 1000;

export interface AbortResult {
  stack: string;
  rolledBack: boolean;
  canaryVersion?: string;
}

export async function abort(d: Deps, a: AbortArgs): Promise<AbortResult> {
  try {
    return await abortLocked(d, a);
  } catch (err) {
    const holder = err instanceof LockedError ? await d.state(a.stack).holder() : undefined;
    if (holder?.command !== "promote") throw err;
    return askPromotion(d, a, holder.promotionId);
  }
}

/** Asks the running promotion to roll back and waits for its end entry in the journal. */
async function askPromotion(d: Deps, a: AbortArgs, promotionId: string): Promise<AbortResult> {
  const state = d.state(a.stack);
  const by = d.ci?.actor ?? d.host.user ?? `${d.host.hostname}:${d.host.pid}`;
  await state.requestAbort({ promotionId, requestedAt: new Date(d.clock.now()).toISOString(), by, reason: a.reason });
  d.progress(`${a.stack}: promotion ${promotionId} holds the stack; asked it to roll back, waiting for its answer`);
  const until = d.clock.now() + ABORT_WAIT_MS;
  while (d.clock.now() < until) {
    const end = (await state.read()).find((e: JournalEntry) => e.promotionId === promotionId && e.event === "end");
    if (end !== undefined) {
      d.progress(`${a.stack}: promotion ${promotionId} ended: ${end.status}${end.detail ? ` (${end.detail})` : ""}`);
      return { stack: a.stack, rolledBack: end.status === "rolled-back", canaryVersion: end.version };
    }
    await d.clock.sleep(POLL_MS, d.signal);
  }
  throw new LockedError(
    `${a.stack}: promotion ${promotionId} did not answer the abort within ${ABORT_WAIT_MS / 60_000} min; it rolls back at its next check, or run slipway abort again`,
  );
}

async function abortLocked(d: Deps, a: AbortArgs): Promise<AbortResult> {
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
