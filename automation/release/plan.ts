// The release plan of a promotion, built before anything changes: per update the release it applies (validated by
// the program's own schema), its targets, its message; then the final release and the rollback. Pure: the executor
// (./canary.ts) only runs it, journals, verifies and rolls back; `promote --dry-run` prints it.
import type { StackRelease } from "../state/release";
import { releaseAfter } from "../state/release";
import type { Release } from "../state/store";
import {
  clearedValues,
  finalValues,
  releaseTargets,
  rollbackValues,
  stepTargets,
  stepValues,
  trafficTargets,
} from "./values";

export interface PlannedUpdate {
  action: "step" | "finalize";
  /** Step index and weight (steps only). */
  step?: number;
  weight?: number;
  /** The release after this update. */
  release: Release;
  /** URNs the update is limited to; undefined = a full update. */
  targets?: string[];
  /** Progress label, e.g. "step 2/3 weight 30%", and the update message in Pulumi's history. */
  label: string;
  message: string;
}

/**
 * Weight 0 first, in an update of the traffic objects only (`targets`; no Deployment awaited before traffic is off the
 * canary), then, when that update was targeted, a second one that scales the canary Deployments of `services` to zero
 * (their URNs from the first update's outputs). Without traffic targets one full update does both.
 */
export interface RollbackPlan {
  release: Release;
  targets?: string[];
  services: string[];
}

export interface ReleasePlan {
  stack: string;
  version: string;
  services: string[];
  steps: number[];
  /** Index of the first step to run (0, or after the last completed step on --resume). */
  from: number;
  intervalMs: number;
  skipCanary: boolean;
  /** The stage this one follows, when there is one. */
  previous?: string;
  /** The updates in order: the weight steps from `from`, then the finalize. */
  updates: PlannedUpdate[];
  /** What any failure before the end applies: weight 0, the version recorded as rolled back, stable untouched. */
  rollback: RollbackPlan;
  /**
   * What a policy refusal applies instead: the refused canary spec must not be registered again (the pack would refuse
   * the rollback too), so the canary is cleared and its Deployments deleted, in one full update.
   */
  refusedRollback: RollbackPlan;
}

export interface PlanInput {
  stack: string;
  version: string;
  services: string[];
  steps: number[];
  from: number;
  intervalMs: number;
  skipCanary: boolean;
  reason?: string;
  previous?: string;
  /** The release the promotion starts from and the deployed stack's outputs (for the targeting rule). */
  rel: StackRelease;
  outputs: Record<string, unknown>;
}

/**
 * Weight 0 over `rel`, `canary` (default: the canary `rel` records) recorded as rolled back, targeted at the traffic
 * objects when the stack exports them. With no canary to roll back, the rolled-back version `rel` records stays.
 */
export function rollbackPlan(
  rel: StackRelease,
  outputs: Record<string, unknown> | undefined,
  canary?: { version: string; services: string[] },
): RollbackPlan {
  const r = rel.config.release;
  const c =
    canary ??
    (r.canaryVersion
      ? { version: r.canaryVersion, services: r.canaryServices }
      : { version: r.rolledBackVersion ?? "", services: r.canaryServices });
  const services = [...c.services];
  return {
    release: releaseAfter(rel, rollbackValues(c.version, services)),
    targets: outputs ? trafficTargets(outputs, services) : undefined,
    services,
  };
}

function stepUpdates(i: PlanInput): PlannedUpdate[] {
  // The first step run changes the canary image unless the canary already runs the version (a resumed promotion);
  // after it every step changes only traffic objects and canary replica counts (see values.ts stepTargets).
  const later = releaseTargets(i.outputs);
  return i.steps.slice(i.from).map((weight, k) => {
    const step = i.from + k;
    const label = `step ${step + 1}/${i.steps.length} weight ${weight}%`;
    return {
      action: "step",
      step,
      weight,
      label,
      message: `slipway promote ${i.version} ${label}`,
      release: releaseAfter(i.rel, stepValues(i.version, weight, i.services)),
      targets: k === 0 ? stepTargets(i.outputs, i.services, i.version) : later,
    };
  });
}

export function planRelease(i: PlanInput): ReleasePlan {
  const steps = i.skipCanary ? [] : stepUpdates(i);
  const final: PlannedUpdate = {
    action: "finalize",
    label: i.skipCanary ? `skipping the canary (${i.reason})` : "stable",
    message: i.skipCanary
      ? `slipway promote ${i.version} --skip-canary: ${i.reason}`
      : `slipway promote ${i.version}: stable`,
    release: releaseAfter(i.rel, finalValues(i.version, i.services, i.rel.config)),
  };
  return {
    stack: i.stack,
    version: i.version,
    services: i.services,
    steps: i.skipCanary ? [] : i.steps,
    from: i.from,
    intervalMs: i.intervalMs,
    skipCanary: i.skipCanary,
    previous: i.previous,
    updates: [...steps, final],
    rollback: rollbackPlan(i.rel, i.outputs, { version: i.version, services: i.services }),
    refusedRollback: { release: releaseAfter(i.rel, clearedValues()), services: [...i.services] },
  };
}

function describe(r: Release): string {
  const canary = r.canaryVersion
    ? `canary ${r.canaryVersion} at ${r.canaryWeight}% on ${r.canaryServices.join(", ")}`
    : r.rolledBackVersion
      ? `no canary (${r.rolledBackVersion} rolled back, scaled to zero on ${r.canaryServices.join(", ")})`
      : "no canary";
  const pinned = Object.entries(r.serviceVersions).map(([s, v]) => `${s} ${v}`);
  return `stable ${r.stableVersion}${pinned.length ? ` (${pinned.join(", ")})` : ""}, ${canary}`;
}

/** The plan as `promote --dry-run` prints it: one line per update, then the rollback. */
export function planText(p: ReleasePlan): string {
  const how = (t?: string[]) => (t ? `targeted at ${t.length} resources` : "full update");
  const lines = [
    `dry run: ${p.version} to ${p.stack}${p.previous ? ` (after ${p.previous})` : ""}, services ${p.services.join(", ")}` +
      (p.skipCanary ? "" : `, a step every ${p.intervalMs} ms`),
    ...p.updates.map((u, n) => `  ${n + 1}. ${u.label}: ${describe(u.release)} (${how(u.targets)})`),
    `  on failure: ${describe(p.rollback.release)} (${p.rollback.targets ? `weight 0 ${how(p.rollback.targets)}, then the canary Deployments scale to zero` : "full update"})`,
    "nothing changed",
  ];
  return `${lines.join("\n")}\n`;
}
