// The updates of `slipway rollback`: the stack returns to a version it ran before. Fast (the default): every service's
// stable track moves to that version in one update, the canary cleared, then the stack's live gates run; a failing
// gate is reported, never answered by rolling "forward". With --canary: the promotion executor (./canary.ts) runs the
// canary steps to that version. Either journals its own change record (action "rollback") under the caller's lock.
import type { StackConfig } from "../../stacks/config";
import type { Deps } from "../deps";
import { RolledBackError } from "../errors";
import { clearEngineLeftovers } from "../state/reconcile";
import { openRollback, RollbackRecord } from "../state/rollbacks";
import type { StackSession } from "../state/session";
import type { JournalEntry, Release, RestoreFrom } from "../state/store";
import type { Verdict } from "../types";
import { runPlan } from "./canary";
import { previewSummary } from "./evidence";
import { analyse, failedText } from "./phases";
import { planRelease, ReleasePlan } from "./plan";
import { applyRelease } from "./rollback";
import { canariedServices } from "./values";

export interface RevertInput {
  /** The version the stack returns to. */
  version: string;
  reason: string;
  /** The database restore the update applies (fast rollback only). */
  restoreFrom?: RestoreFrom;
  canary: boolean;
  startedAt: number;
  /** The change record the updates are journaled under (default: the session's own id). */
  id?: string;
}

export interface RevertReport {
  /** The live gates run after a fast rollback (none when the stack has none that judge a stable track). */
  verdicts: Verdict[];
  /** Canary steps run (--canary). */
  steps: number;
}

/** The plan that takes the stack to `version`: canary steps with --canary, else the one stable update. */
export function revertPlan(
  s: Pick<StackSession, "stack" | "rel">,
  outputs: Record<string, unknown>,
  i: Pick<RevertInput, "version" | "reason" | "canary" | "restoreFrom">,
): ReleasePlan {
  const c = s.rel.config;
  const plan = planRelease({
    stack: s.stack,
    version: i.version,
    // The stack's whole release: every service of its catalogue goes back (those it does not canary with them).
    services: canariedServices(c),
    steps: c.canary.steps,
    from: 0,
    intervalMs: c.canary.interval,
    skipCanary: !i.canary,
    reason: i.reason,
    strategy: c.canary.strategy,
    bakeMs: c.canary.bake,
    rel: s.rel,
    outputs,
  });
  if (i.restoreFrom === undefined) return plan;
  const final = plan.updates.at(-1)!;
  const release: Release = { ...final.release, restoreFrom: { ...i.restoreFrom } };
  return { ...plan, updates: [...plan.updates.slice(0, -1), { ...final, release }] };
}

/**
 * The gates that can judge a stack after a rollback: its post-promotion gates (the live Service), without the
 * kubernetes provider, which judges canary pods and a rollback leaves none.
 */
export function liveGates(c: StackConfig): StackConfig["canary"]["postPromotionAnalysis"] {
  return c.canary.postPromotionAnalysis.filter((g) => g.provider !== "kubernetes");
}

export async function revert(d: Deps, s: StackSession, i: RevertInput): Promise<RevertReport> {
  const id = i.id ?? s.id;
  const note = s.note(id);
  const plan = revertPlan(s, await d.engine.outputs(s.stack), i);
  // Hooks belong to a release going out (a migration): a rollback runs none.
  const config = { ...s.rel.config, hooks: { preTraffic: [], postPromotion: [] } };
  if (i.canary) {
    const steps = await runPlan(d, s, { promotionId: id, plan, config, startedAt: i.startedAt }, i.reason);
    await note({ event: "outcome", action: "rollback", ok: true, version: i.version, services: plan.services });
    return { verdicts: [], steps: steps.length };
  }
  const u = plan.updates[0];
  const what = `every service's stable track to ${i.version} in one update${i.restoreFrom ? `, the database restored from ${i.restoreFrom.snapshotId}` : ""}`;
  d.progress(`${s.stack}: rollback: ${what}`);
  const started = d.clock.now();
  const r = await applyRelease(
    d,
    s,
    note,
    { action: "rollback", version: i.version, services: plan.services, reason: i.reason, detail: what },
    u.release,
    { signal: d.signal, message: `slipway rollback to ${i.version}: ${i.reason}` },
  );
  await note({
    event: "outcome",
    action: "rollback",
    ok: true,
    version: i.version,
    services: plan.services,
    durationMs: d.clock.now() - started,
    evidence: { preview: previewSummary(r) },
  });
  return { verdicts: await gatesAfter(d, s, plan, i), steps: 0 };
}

/** The live gates once, as after a promotion's last step; a failure is journaled and thrown (exit 3), not undone. */
async function gatesAfter(d: Deps, s: StackSession, plan: ReleasePlan, i: RevertInput): Promise<Verdict[]> {
  const specs = liveGates(s.rel.config);
  if (specs.length === 0) {
    d.progress(`${s.stack}: rollback: no live gates to run (the kubernetes gate judges canary pods only)`);
    return [];
  }
  const id = i.id ?? s.id;
  const x = { promotionId: id, plan, config: s.rel.config, startedAt: i.startedAt };
  const started = d.clock.now();
  const verdicts = await analyse(d, s, x, { specs, weight: 100, step: 0 }, { n: 0 });
  const ok = verdicts.every((v) => v.ok);
  await s.note(id)({
    event: "outcome",
    action: "rollback",
    ok,
    verdicts,
    durationMs: d.clock.now() - started,
    detail: "gates after the rollback",
  });
  if (ok) return verdicts;
  const why = failedText(verdicts);
  await s.note(id)({
    event: "end",
    action: "rollback",
    status: "failed",
    version: i.version,
    durationMs: d.clock.now() - i.startedAt,
    detail: `gates failed after the rollback to ${i.version}: ${why}; the stack stays on ${i.version}`,
  });
  throw new RolledBackError(
    `${s.stack}: rolled back to ${i.version}, but its gates failed afterwards: ${why}; the stack stays on ${i.version} (a rollback never rolls forward): investigate, then promote a fix`,
    { verdicts },
  );
}

/** The release serves `version` on every service, with no canary: what a rollback to it leaves. */
export function servesOnly(r: StackConfig["release"], version: string): boolean {
  return r.canaryVersion === undefined && Object.values(r.serviceVersions).every((v) => v === version);
}

/**
 * A rollback whose driver stopped (killed, runner lost) is finished by the next command that takes the stack's lock,
 * before anything else: the user decided to go back, and going back is the safe direction (the version backed out is
 * the one that was failing). When its update had applied (reconciled under the lock), the record is closed; otherwise
 * the stack goes to the rollback's target in one update, journaled under the interrupted rollback's own id. Returns
 * the rollback it finished, if any. `entries`: the stack's journal as the caller read it under the lock.
 */
export async function finishInterruptedRollback(
  d: Deps,
  s: StackSession,
  entries: readonly JournalEntry[],
): Promise<RollbackRecord | undefined> {
  const open = openRollback(entries);
  if (open === undefined) return undefined;
  const note = s.note(open.rollbackId);
  const started = d.clock.now();
  if (servesOnly(s.rel.config.release, open.to)) {
    await note({
      event: "outcome",
      action: "rollback",
      ok: true,
      version: open.to,
      detail: "applied before the driver stopped; reconciled",
    });
  } else {
    d.progress(
      `${s.stack}: rollback ${open.rollbackId} (${open.from} -> ${open.to}) was interrupted; finishing it in one update`,
    );
    await clearEngineLeftovers(d, s.stack);
    await revert(d, s, {
      version: open.to,
      reason: `finishing the interrupted rollback: ${open.reason ?? ""}`,
      canary: false,
      startedAt: started,
      restoreFrom: open.restoreFrom,
      id: open.rollbackId,
    });
  }
  await note({
    event: "end",
    action: "rollback",
    status: "completed",
    version: open.to,
    durationMs: d.clock.now() - started,
    detail: "the driver stopped before the end; finished by the next command",
  });
  d.progress(`${s.stack}: finished the interrupted rollback ${open.rollbackId}: the stack serves ${open.to}`);
  return open;
}
