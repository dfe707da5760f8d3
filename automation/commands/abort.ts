// `slipway abort`: roll the canary of a stack back now (weight 0, canary cleared, stable untouched).
import type { AbortArgs } from "../cli/argv";
import { journal, rollback } from "../release/canary";
import type { Deps } from "../deps";
import { interrupted } from "../state/progress";
import { candidate } from "../release/values";
import { origin } from "../release/evidence";

export interface AbortResult { stack: string; rolledBack: boolean; canaryVersion?: string }

export async function abort(d: Deps, a: AbortArgs): Promise<AbortResult> {
  const state = d.state(a.stack);
  const id = d.newId();
  const release = await state.acquire(
    { pid: d.host.pid, host: d.host.hostname, startedAt: new Date(d.clock.now()).toISOString(), promotionId: id, command: "abort" },
    (s) => d.progress(`${a.stack}: removed the stale lock of pid ${s.pid}`),
  );
  try {
    const raw = await d.engine.getConfig(a.stack);
    const r = candidate(a.stack, raw, {}).release;
    if (r.canaryVersion === undefined && r.canaryWeight === 0) {
      d.progress(`${a.stack}: no canary runs; nothing to roll back`);
      return { stack: a.stack, rolledBack: false };
    }
    // An interrupted promotion is closed by this rollback, so the next promote starts clean.
    const open = interrupted(await state.read());
    const note = journal(d, state, a.stack, open?.promotionId ?? id);
    await note({ event: "intent", action: "abort", version: r.canaryVersion, weight: r.canaryWeight, reason: a.reason, evidence: origin(d) });
    await rollback(d, a.stack, raw, await d.engine.outputs(a.stack), a.reason ?? "slipway abort");
    await note({ event: "end", action: "abort", status: "rolled-back", ok: true, reason: a.reason });
    return { stack: a.stack, rolledBack: true, canaryVersion: r.canaryVersion };
  } finally {
    await release();
  }
}
