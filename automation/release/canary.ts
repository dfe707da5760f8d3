// The executor of a release plan (./plan.ts): each weight step as a stack update, intent -> update -> record ->
// applied weight -> interval -> gates -> outcome, then the finalize, and the rollback (weight 0 first, then the canary
// at zero replicas). Every failure ends in a rollback; the caller maps what is thrown.
import type { StackConfig } from "../../stacks/config";
import type { Deps, UpdateResult, UpOptions } from "../deps";
import type { Release } from "../state/store";
import { EngineError, LockedError, PolicyError, RolledBackError, SlipwayError } from "../errors";
import { runGates } from "./gates";
import type { Journal, Note } from "../state/journal";
import type { StackSession } from "../state/lock";
import type { PlannedUpdate, ReleasePlan, RollbackPlan } from "./plan";
import { canaryTargets, weightMismatches } from "./values";
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

class StepFailed extends Error {}

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

/** Gates after the interval; re-asked after another interval until failureLimit failures are reached. */
async function analyse(d: Deps, x: Execution, u: PlannedUpdate, failures: { n: number }): Promise<Verdict[]> {
  const { plan: p, config: c } = x;
  const providers = d.providers(c.canary.analysis);
  const ctx = {
    stack: p.stack,
    namespace: c.namespace,
    services: p.services,
    canaryVersion: p.version,
    stableVersion: c.release.stableVersion,
    weight: u.weight as number,
    step: (u.step as number) + 1,
    kubeconfigPath: d.kubeconfigPath,
  };
  for (;;) {
    await d.clock.sleep(p.intervalMs, d.signal);
    const verdicts = await runGates(d, providers, ctx, c.canary.timeout, d.signal);
    if (verdicts.every((v) => v.ok)) return verdicts;
    failures.n += 1;
    if (failures.n >= c.canary.failureLimit) return verdicts;
    d.progress(
      `${p.stack}: step ${ctx.step} failed ${failures.n} of ${c.canary.failureLimit} allowed checks; asking again`,
    );
  }
}

async function runStep(
  d: Deps,
  s: StackSession,
  x: Execution,
  u: PlannedUpdate,
  failures: { n: number },
  note: Journal,
): Promise<StepReport> {
  const { plan: p } = x;
  const started = d.clock.now();
  const [step, weight] = [u.step as number, u.weight as number];
  d.progress(`${p.stack}: ${u.label}: ${u.targets ? "targeted" : "full"} update`);
  const r = await applyRelease(
    d,
    s,
    note,
    { action: "step", step, weight, version: p.version, services: p.services },
    u.release,
    { targets: u.targets, signal: d.signal, message: u.message },
  );
  await verifyWeight(d, x, r.outputs ?? (await d.engine.outputs(p.stack)), weight);
  const verdicts = await analyse(d, x, u, failures);
  const ok = verdicts.every((v) => v.ok);
  const report: StepReport = {
    step,
    weight,
    targeted: u.targets !== undefined,
    ok,
    verdicts,
    durationMs: d.clock.now() - started,
  };
  const evidence = step === 0 ? { preview: previewSummary(r) } : undefined;
  await note({
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

/** Runs the plan's updates: the steps, then the finalize. On any failure rolls back and throws. */
export async function runPlan(d: Deps, s: StackSession, x: Execution, reason?: string): Promise<StepReport[]> {
  const note = s.note(x.promotionId);
  const reports: StepReport[] = [];
  const failures = { n: 0 };
  try {
    for (const u of x.plan.updates) {
      if (u.action === "finalize") {
        await finalize(d, s, x, u, note, reason);
        continue;
      }
      const r = await runStep(d, s, x, u, failures, note);
      reports.push(r);
      if (!r.ok)
        throw new StepFailed(
          `gates failed at ${r.weight}%: ${r.verdicts
            .filter((v) => !v.ok)
            .map((v) => `${v.provider}: ${v.detail}`)
            .join("; ")}`,
        );
    }
    return reports;
  } catch (err) {
    throw await failAndRollBack(d, s, x, note, err, reports);
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
