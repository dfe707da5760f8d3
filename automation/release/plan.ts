// The release plan of a promotion, built before anything changes: per update the release it applies (validated by
// the program's own schema), its targets, its message; the phases between them (hooks, pre-promotion gates, the bake
// window); then the final release and the rollback. Pure: the executor (./canary.ts) only runs it, journals, verifies
// and rolls back; `promote --dry-run` prints it.
//
// Two shapes share one executor. canary: weight steps on a canary track sized by the weight. blueGreen: the new
// version deployed beside the old one at full size at weight 0 (`prepare`), its pre-promotion gates through its own
// Service, then one switch to 100% (a step whose update moves traffic alone). Either ends in the bake window: the old
// version still runs at full size on the stable track while the post-promotion hooks and gates run, so a switch back is
// one targeted update of the traffic objects; then the finalize makes the version stable and scales the old one away.
import type { StackRelease } from "../state/release";
import { releaseAfter } from "../state/release";
import type { Release } from "../state/store";
import type { PlanInput, PlannedUpdate, ReleasePlan, RollbackPlan } from "./planTypes";
import { clearedValues, finalValues, rollbackValues, stepTargets, stepValues, trafficTargets } from "./values";
import { humanDuration } from "../report/format";

export type { Execution, Intent, PlanInput, PlannedUpdate, ReleasePlan, RollbackPlan, StepReport } from "./planTypes";

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

/** A prepare update is planned when something must happen at weight 0 before traffic moves. */
function needsPrepare(i: PlanInput): boolean {
  if (i.from > 0) return false;
  return i.strategy === "blueGreen" || i.backup === "snapshot" || (i.hooks?.preTraffic.length ?? 0) > 0;
}

function prepareUpdate(i: PlanInput): PlannedUpdate {
  const blueGreen = i.strategy === "blueGreen";
  const label = blueGreen ? `deploy ${i.version} at full size, weight 0` : `deploy ${i.version} at weight 0`;
  return {
    action: "prepare",
    step: undefined,
    weight: 0,
    label,
    message: `slipway promote ${i.version}: ${label}`,
    release: releaseAfter(i.rel, stepValues(i.version, 0, i.services)),
    targets: stepTargets(i.outputs, i.services, i.version),
  };
}

function stepUpdates(i: PlanInput, prepared: boolean): PlannedUpdate[] {
  // The first update of a new version changes the canary image; after it every step changes only traffic objects
  // and canary replica counts (see values.ts stepTargets), whose URNs the first update's outputs carry.
  const known = stepTargets(i.outputs, i.services, i.version);
  const blueGreen = i.strategy === "blueGreen";
  const pauses = blueGreen ? [] : (i.pauseAfter ?? []);
  return i.steps.slice(i.from).map((weight, k) => {
    const step = i.from + k;
    const label = blueGreen ? `switch to ${i.version} (100%)` : `step ${step + 1}/${i.steps.length} weight ${weight}%`;
    const first = k === 0 && !prepared;
    // A canary step to 100% adds the canary's HPA (components/service.ts), which a targeted update cannot create (its
    // URN is in no target list before it exists): that step runs as a full update. Blue-green's track has it already.
    const toFull = !blueGreen && weight === 100;
    return {
      action: "step",
      step,
      weight,
      label,
      message: `slipway promote ${i.version} ${label}`,
      release: releaseAfter(i.rel, stepValues(i.version, weight, i.services)),
      targets: toFull ? undefined : known,
      targetsFrom: first || toFull || known !== undefined ? undefined : "previous",
      ...(pauses.includes(step) && step < i.steps.length - 1 ? { pause: true } : {}),
    };
  });
}

/** `r` recording the digest of each service's image at `version`; unchanged without digests. Pure. */
export function withDigests(r: Release, version: string, digests: Record<string, string> = {}): Release {
  if (Object.keys(digests).length === 0) return r;
  const all = { ...r.imageDigests };
  for (const [service, digest] of Object.entries(digests)) all[service] = { ...all[service], [version]: digest };
  return { ...r, imageDigests: all };
}

export function planRelease(i: PlanInput): ReleasePlan {
  const plan = planReleaseTags(i);
  const rec = (r: Release) => withDigests(r, i.version, i.digests);
  return {
    ...plan,
    updates: plan.updates.map((u) => ({ ...u, release: rec(u.release) })),
    rollback: { ...plan.rollback, release: rec(plan.rollback.release) },
    refusedRollback: { ...plan.refusedRollback, release: rec(plan.refusedRollback.release) },
    digests: { ...i.digests },
  };
}

function planReleaseTags(i: PlanInput): Omit<ReleasePlan, "digests"> {
  const strategy = i.strategy ?? "canary";
  const input = { ...i, strategy, steps: strategy === "blueGreen" ? [100] : i.steps };
  const prepare = needsPrepare(input) ? [prepareUpdate(input)] : [];
  const steps = i.skipCanary ? [] : stepUpdates(input, prepare.length > 0);
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
    strategy,
    services: i.services,
    steps: i.skipCanary ? [] : input.steps,
    pauseAfter:
      i.skipCanary || strategy === "blueGreen" ? [] : (i.pauseAfter ?? []).filter((k) => k < i.steps.length - 1),
    from: i.from,
    intervalMs: i.intervalMs,
    skipCanary: i.skipCanary,
    previous: i.previous,
    updates: [...prepare, ...steps, final],
    hooks: { preTraffic: [...(i.hooks?.preTraffic ?? [])], postPromotion: [...(i.hooks?.postPromotion ?? [])] },
    bakeMs: i.skipCanary ? 0 : (i.bakeMs ?? 0),
    backup: i.backup ?? "none",
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
  const how = (u: { targets?: string[]; targetsFrom?: string }) =>
    u.targets
      ? `targeted at ${u.targets.length} resources`
      : u.targetsFrom
        ? "targeted at the release targets the update before exports"
        : "full update";
  const after = (u: PlannedUpdate): string[] => {
    if (u.action === "prepare")
      return [
        ...(p.backup === "snapshot"
          ? ["     the database snapshot of the release exists before any traffic moves"]
          : []),
        ...(p.backup === "local" ? ["     no database on the local stack: no backup"] : []),
        ...p.hooks.preTraffic.map((h) => `     preTraffic hook ${h}`),
        ...(p.strategy === "blueGreen" ? ["     pre-promotion gates against the new version's own Service"] : []),
      ];
    if (u.action === "finalize" || u !== p.updates.at(-2)) return [];
    return [
      ...p.hooks.postPromotion.map((h) => `     postPromotion hook ${h}`),
      ...(p.bakeMs > 0
        ? [`     bake ${humanDuration(p.bakeMs)}: the old version stays at full size, post-promotion gates`]
        : []),
    ];
  };
  const lines = [
    `dry run: ${p.version} to ${p.stack}${p.previous ? ` (after ${p.previous})` : ""}, ${p.strategy}, services ${p.services.join(", ")}` +
      (p.skipCanary ? "" : `, a step every ${humanDuration(p.intervalMs)}`),
    ...p.updates.flatMap((u, n) => [
      `  ${n + 1}. ${u.label}: ${describe(u.release)} (${how(u)})`,
      ...after(u),
      ...(u.pause ? ["     pause: traffic stays; a person continues with slipway promote --continue"] : []),
    ]),
    `  on failure: ${describe(p.rollback.release)} (${p.rollback.targets ? `weight 0 ${how(p.rollback)}, then the canary Deployments scale to zero` : "full update"})`,
    "nothing changed",
  ];
  return `${lines.join("\n")}\n`;
}
