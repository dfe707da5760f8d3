// The executor of a release plan (./plan.ts): each weight step as a stack update, intent -> update -> record ->
// applied weight -> interval -> gates -> outcome, then the finalize, and the rollback (weight 0 first, then the canary
// at zero replicas). Every failure ends in a rollback; the caller maps what is thrown.
import type { StackConfig } from "../../stacks/config";
import type { Deps, UpdateResult, UpOptions } from "../deps";
import type { Release } from "../state/store";
import { EngineError, LockedError, PolicyError, RolledBackError, SlipwayError } from "../errors";
import type { Journal, Note } from "../state/journal";
import type { StackSession } from "../state/lock";
import type { PlannedUpdate, ReleasePlan, RollbackPlan } from "./plan";
import { canaryTargets, releaseTargets, weightMismatches } from "./values";
import { analyse, bake, failedText, noteBackup, PhaseFailed, prePromotion } from "./phases";
import { holdIfIrreversible, runHooks } from "./hooks";
import type { HookPhase } from "../state/store";
import type { Verdict } from "../types";
import { engineUpdates, previewSummary } from "./evidence";

/** What the executor needs besides the plan: the promotion it journals under and the stack's canary policy. */
export interface Execution {
  promotionId: string;
  plan: ReleasePlan;
  /** The stack's config when the promotion started: canary policy, namespace, router. */
  config: StackConfig;
  /** When the promotion (or its resumption) began, ms: the engine updates since then are its own (the stack is locked). */
  startedAt: number;
}
export interface StepReport {
  step: number;
  weight: number;
  targeted: boolean;
  ok: boolean;
  verdicts: Verdict[];
  durationMs: number;
}

export type Intent = Omit<Note, "event" | "release">;

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

class StepFailed extends PhaseFailed {}

/** What one run of a plan carries from update to update. */
interface Run {
  note: Journal;
  reports: StepReport[];
  failures: { n: number };
  /** The outputs of the run's last update (targets of the next one, when the plan says so). */
  outputs?: Record<string, unknown>;
}

async function targetsOf(d: Deps, stack: string, u: PlannedUpdate, run: Run): Promise<string[] | undefined> {
  if (u.targets !== undefined || u.targetsFrom === undefined) return u.targets;
  return releaseTargets(run.outputs ?? (await d.engine.outputs(stack)));
}

async function verifyWeight(d: Deps, x: Execution, outputs: Record<string, unknown>, weight: number): Promise<void> {
  const { services, stack } = x.plan;
  const off = weightMismatches(outputs, services, weight);
  if (off.length > 0)
    throw new StepFailed(`the stack reports a canary weight other than ${weight} for ${off.join(", ")}`);
  if (d.weights === undefined) return;
  const applied = await d.weights(
    { namespace: x.config.namespace, router: x.config.router, services, kubeconfigPath: d.kubeconfigPath },
    d.signal,
  );
  if (applied === undefined)
    return d.progress(`${stack}: applied weight not read from the cluster (no kubeconfig or kubectl)`);
  const wrong = services.filter((s) => applied[s] !== weight);
  if (wrong.length > 0)
    throw new StepFailed(`the cluster's slipway.dev/canary-weight is not ${weight} on ${wrong.join(", ")}`);
}

async function runStep(d: Deps, s: StackSession, x: Execution, u: PlannedUpdate, run: Run): Promise<StepReport> {
  const { plan: p } = x;
  const started = d.clock.now();
  const [step, weight] = [u.step as number, u.weight as number];
  const targets = await targetsOf(d, p.stack, u, run);
  d.progress(`${p.stack}: ${u.label}: ${targets ? "targeted" : "full"} update`);
  const r = await applyRelease(
    d,
    s,
    run.note,
    { action: "step", step, weight, version: p.version, services: p.services },
    u.release,
    { targets, signal: d.signal, message: u.message },
  );
  run.outputs = r.outputs ?? (await d.engine.outputs(p.stack));
  await verifyWeight(d, x, run.outputs, weight);
  const verdicts = await analyse(d, s, x, { specs: x.config.canary.analysis, weight, step: step + 1 }, run.failures);
  const ok = verdicts.every((v) => v.ok);
  const report: StepReport = {
    step,
    weight,
    targeted: targets !== undefined,
    ok,
    verdicts,
    durationMs: d.clock.now() - started,
  };
  const evidence = run.reports.length === 0 && u === x.plan.updates[0] ? { preview: previewSummary(r) } : undefined;
  await run.note({
    event: "outcome",
    action: "step",
    step,
    weight,
    ok,
    verdicts,
    targeted: report.targeted,
    durationMs: report.durationMs,
    evidence,
  });
  d.progress(`${p.stack}: ${u.label}: verdict ${ok ? "pass" : "FAIL"} in ${report.durationMs} ms`);
  return report;
}

/**
 * The update at weight 0 before any traffic moves: the new version deployed (at full size for blue-green), the
 * backup taken in the same update; then what must pass before the first traffic step.
 */
async function prepare(d: Deps, s: StackSession, x: Execution, u: PlannedUpdate, run: Run): Promise<void> {
  const { plan: p } = x;
  const started = d.clock.now();
  d.progress(`${p.stack}: ${u.label}: ${u.targets ? "targeted" : "full"} update`);
  const r = await applyRelease(
    d,
    s,
    run.note,
    { action: "prepare", weight: 0, version: p.version, services: p.services },
    u.release,
    { targets: u.targets, signal: d.signal, message: u.message },
  );
  run.outputs = r.outputs ?? (await d.engine.outputs(p.stack));
  await verifyWeight(d, x, run.outputs, 0);
  await run.note({
    event: "outcome",
    action: "prepare",
    ok: true,
    targeted: u.targets !== undefined,
    durationMs: d.clock.now() - started,
    evidence: { preview: previewSummary(r) },
  });
  await noteBackup(d, x, run.note, run.outputs);
  await hooks(d, x, run, "preTraffic");
  if (p.strategy === "blueGreen" && !p.skipCanary) await prePromotion(d, s, x, run.note, run.failures);
}

/** The phase's hooks (slipway:release.hooks), each a Job in the stack's namespace; a failure ends the promotion. */
async function hooks(d: Deps, x: Execution, run: Run, phase: HookPhase): Promise<void> {
  const { plan: p, config: c } = x;
  const ctx = { stack: p.stack, namespace: c.namespace, version: p.version, promotionId: x.promotionId };
  const r = await runHooks(d, run.note, phase, c.hooks[phase], { ...ctx, kubeconfigPath: d.kubeconfigPath });
  if (!r.ok) throw new PhaseFailed(r.detail);
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
  await verifyRolledBack(d, s, r, outputs);
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
    { targets: canaries, message: `slipway rollback: ${message}: canary scales to zero` },
  );
}

/** The rollback's weight 0, from the stack's outputs and from the cluster's traffic objects. */
async function verifyRolledBack(
  d: Deps,
  s: StackSession,
  r: RollbackPlan,
  outputs: Record<string, unknown>,
): Promise<void> {
  const off = weightMismatches(outputs, r.services, 0);
  if (off.length > 0)
    throw new EngineError(
      `${s.stack}: the stack reports a canary weight other than 0 for ${off.join(", ")} after the rollback`,
    );
  if (d.weights === undefined) return;
  const c = s.rel.config;
  const applied = await d.weights(
    { namespace: c.namespace, router: c.router, services: r.services, kubeconfigPath: d.kubeconfigPath },
    new AbortController().signal,
  );
  if (applied === undefined)
    return d.progress(`${s.stack}: applied weight not read from the cluster (no kubeconfig or kubectl)`);
  const wrong = r.services.filter((x) => applied[x] !== 0);
  if (wrong.length > 0)
    throw new EngineError(
      `${s.stack}: after the rollback the cluster's slipway.dev/canary-weight is not 0 on ${wrong.join(", ")}`,
    );
}

async function finalize(
  d: Deps,
  s: StackSession,
  x: Execution,
  u: PlannedUpdate,
  note: Journal,
  reason?: string,
): Promise<void> {
  const { plan: p } = x;
  const started = d.clock.now();
  d.progress(
    `${p.stack}: ${p.skipCanary ? `${u.label}: ` : ""}${p.version} becomes stable; canary scales to zero (full update)`,
  );
  const r = await applyRelease(
    d,
    s,
    note,
    { action: "finalize", version: p.version, services: p.services, reason },
    u.release,
    { signal: d.signal, message: u.message },
  );
  await note({
    event: "outcome",
    action: "finalize",
    ok: true,
    durationMs: d.clock.now() - started,
    evidence: { preview: previewSummary(r) },
  });
}

/** Runs the plan's updates and the phases between them. On any failure rolls back and throws. */
export async function runPlan(d: Deps, s: StackSession, x: Execution, reason?: string): Promise<StepReport[]> {
  const run: Run = { note: s.note(x.promotionId), reports: [], failures: { n: 0 } };
  try {
    if (x.plan.backup === "local" && x.plan.from === 0) await noteBackup(d, x, run.note, {});
    for (const u of x.plan.updates) {
      if (u.action === "prepare") await prepare(d, s, x, u, run);
      else if (u.action === "step") {
        const r = await runStep(d, s, x, u, run);
        run.reports.push(r);
        if (!r.ok) throw new StepFailed(`gates failed at ${r.weight}%: ${failedText(r.verdicts)}`);
      } else {
        // postPromotion hooks run once the new version takes the last step's traffic, while the old one still runs.
        if (x.plan.steps.length > 0) await hooks(d, x, run, "postPromotion");
        if (x.plan.bakeMs > 0) await bake(d, s, x, run.note, x.plan.steps.at(-1) ?? 100);
        await finalize(d, s, x, u, run.note, reason);
        if (x.plan.steps.length === 0) await hooks(d, x, run, "postPromotion");
      }
    }
    return run.reports;
  } catch (err) {
    throw await failAndRollBack(d, s, x, run.note, err, run.reports);
  }
}

async function failAndRollBack(
  d: Deps,
  s: StackSession,
  x: Execution,
  note: Journal,
  err: unknown,
  steps: StepReport[],
): Promise<Error> {
  const { stack, version } = x.plan;
  const cause = d.signal.aborted
    ? "interrupted (SIGINT)"
    : err instanceof Error
      ? err.message.split("\n")[0]
      : String(err);
  if (err instanceof LockedError) return err;
  // Past an irreversible hook the old version may not read the database: traffic stays where it is. Only a stack that
  // declares such a hook reads the journal for it before its rollback.
  const { preTraffic, postPromotion } = x.config.hooks;
  if ([...preTraffic, ...postPromotion].some((h) => h.irreversible)) {
    const held = await holdIfIrreversible(d, s, note, {
      promotionId: x.promotionId,
      version,
      cause,
      evidence: await engineUpdates(d, stack, x.startedAt),
    });
    if (held) return held;
  }
  const started = d.clock.now();
  try {
    await rollback(d, s, note, err instanceof PolicyError ? x.plan.refusedRollback : x.plan.rollback, cause);
  } catch (rbErr) {
    const why = rbErr instanceof Error ? rbErr.message.split("\n")[0] : String(rbErr);
    await note({ event: "outcome", action: "rollback", ok: false, detail: why });
    await note({
      event: "end",
      action: "promote",
      status: "failed",
      detail: `${cause}; rollback failed: ${why}`,
      evidence: await engineUpdates(d, stack, x.startedAt),
    });
    if (rbErr instanceof SlipwayError && rbErr.kind === "locked") return rbErr;
    return new EngineError(`${stack}: ${cause}; the rollback failed too (${why}): run slipway abort --stack ${stack}`);
  }
  await note({ event: "outcome", action: "rollback", ok: true, durationMs: d.clock.now() - started });
  await note({
    event: "end",
    action: "promote",
    status: "rolled-back",
    detail: cause,
    evidence: await engineUpdates(d, stack, x.startedAt),
  });
  if (err instanceof PolicyError) return err;
  return new RolledBackError(`${stack}: ${version} rolled back: ${cause}`, { steps });
}
