// Updates that move a release: one journaled update (intent, update, record), and the planned rollback (weight 0 on
// the traffic objects first, read back from the cluster, then the canary Deployments at zero replicas).
import type { Deps, UpdateResult, UpOptions } from "../deps";
import { EngineError } from "../errors";
import type { Journal } from "../state/journal";
import type { StackSession } from "../state/lock";
import type { Release } from "../state/store";
import type { Intent, RollbackPlan } from "./planTypes";
import { verifyApplied } from "./readback";
import { canaryTargets } from "./values";

/**
 * One update that moves the release: the intent (with the release it applies) is journaled first, the record is
 * written right after the update. A driver killed between the two leaves the intent open for the next command to
 * reconcile (automation/state/reconcile.ts).
 */
export async function applyRelease(
  d: Deps,
  s: StackSession,
  note: Journal,
  intent: Intent,
  release: Release,
  opts: Omit<UpOptions, "release">,
): Promise<UpdateResult> {
  await note({ ...intent, event: "intent", release });
  const r = await d.engine.up(s.stack, { ...opts, release });
  await s.commit(release);
  return r;
}

/**
 * The planned rollback: weight 0 on the traffic objects first, read back from the cluster, then the canary Deployments
 * scale to zero (./plan.ts RollbackPlan). Never interruptible. `intent` names what asked for it (a failure, an abort,
 * a recovery).
 */
export async function rollback(
  d: Deps,
  s: StackSession,
  note: Journal,
  r: RollbackPlan,
  message: string,
  intent: Intent = { action: "rollback", detail: message },
) {
  d.progress(
    `${s.stack}: rolling back: weight 0 (${r.targets ? `targeted at ${r.targets.length} traffic objects` : "full update"}): ${message}`,
  );
  const first = await applyRelease(d, s, note, intent, r.release, {
    targets: r.targets,
    message: `slipway rollback: ${message}`,
  });
  const outputs = first.outputs ?? (await d.engine.outputs(s.stack));
  const { namespace, router } = s.rel.config;
  const readback = { stack: s.stack, namespace, router, services: r.services, when: " after the rollback" };
  // Never interruptible: the read-back does not take the run's signal.
  await verifyApplied(
    d,
    readback,
    outputs,
    0,
    new AbortController().signal,
    (why) => new EngineError(`${s.stack}: ${why}`),
  );
  if (r.targets === undefined) return;
  const canaries = canaryTargets(outputs, r.services);
  if (canaries === undefined) return;
  d.progress(
    `${s.stack}: rollback: weight 0 in the cluster; ${canaries.length} canary Deployments scale to zero (targeted update)`,
  );
  await applyRelease(
    d,
    s,
    note,
    { action: "rollback", detail: `${message}: canary Deployments scale to zero` },
    r.release,
    {
      targets: canaries,
      // The canary's autoscaler (registered while it takes full traffic) depends on its Deployment and goes with it.
      targetDependents: true,
      message: `slipway rollback: ${message}: canary scales to zero`,
    },
  );
}
