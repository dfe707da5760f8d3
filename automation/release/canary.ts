// Canary weight steps as sequenced stack updates: intent -> update -> record -> applied weight -> interval -> gates
// -> outcome, and the one-update rollback. Every failure ends in a rollback; the caller maps what is thrown.
import type { StackConfig } from "../../stacks/config";
import type { Deps, UpdateResult, UpOptions } from "../deps";
import { EngineError, LockedError, PolicyError, RolledBackError, SlipwayError } from "../errors";
import { runGates } from "./gates";
import type { Journal, Note } from "../state/journal";
import type { StackSession } from "../state/lock";
import { releaseAfter } from "../state/release";
import { finalValues, releaseTargets, rollbackValues, stepTargets, stepValues, weightMismatches } from "./values";
import type { Verdict } from "../types";

export interface CanaryPlan {
  stack: string;
  promotionId: string;
  version: string;
  services: string[];
  steps: number[];
  /** Index of the first step to run (0, or after the last completed step on --resume). */
  from: number;
  intervalMs: number;
  /** The stack's config when the promotion started: canary policy, namespace, router. */
  config: StackConfig;
}
export interface StepReport {
  step: number;
  weight: number;
  targeted: boolean;
  ok: boolean;
  verdicts: Verdict[];
  durationMs: number;
}

/**
 * One update that moves the release: the intent (with the release it applies) is journaled first, the record is
 * written right after the update. A driver killed between the two leaves the intent open for the next command to
 * reconcile (automation/state/reconcile.ts).
 */
export type Intent = Omit<Note, "event" | "release">;

export async function applyRelease(d: Deps, s: StackSession, note: Journal, intent: Intent, values: Record<string, string>, opts: Omit<UpOptions, "release">): Promise<UpdateResult> {
  const release = releaseAfter(s.rel, values);
  await note({ ...intent, event: "intent", release });
  const r = await d.engine.up(s.stack, { ...opts, release });
  await s.commit(release);
  return r;
}

class StepFailed extends Error {}

async function verifyWeight(d: Deps, p: CanaryPlan, outputs: Record<string, unknown>, weight: number): Promise<void> {
  const off = weightMismatches(outputs, p.services, weight);
  if (off.length > 0) throw new StepFailed(`the stack reports a canary weight other than ${weight} for ${off.join(", ")}`);
  if (d.weights === undefined) return;
  const applied = await d.weights({ namespace: p.config.namespace, router: p.config.router, services: p.services, kubeconfigPath: d.kubeconfigPath }, d.signal);
  if (applied === undefined) return d.progress(`${p.stack}: applied weight not read from the cluster (no kubeconfig or kubectl)`);
  const wrong = p.services.filter((s) => applied[s] !== weight);
  if (wrong.length > 0) throw new StepFailed(`the cluster's slipway.dev/canary-weight is not ${weight} on ${wrong.join(", ")}`);
}

/** Gates after the interval; re-asked after another interval until failureLimit failures are reached. */
async function analyse(d: Deps, p: CanaryPlan, i: number, weight: number, failures: { n: number }): Promise<Verdict[]> {
  const providers = d.providers(p.config.canary.analysis);
  const ctx = {
    stack: p.stack, namespace: p.config.namespace, services: p.services, canaryVersion: p.version,
    stableVersion: p.config.release.stableVersion, weight, step: i + 1, kubeconfigPath: d.kubeconfigPath,
  };
  for (;;) {
    await d.clock.sleep(p.intervalMs, d.signal);
    const verdicts = await runGates(d, providers, ctx, p.config.canary.timeout, d.signal);
    if (verdicts.every((v) => v.ok)) return verdicts;
    failures.n += 1;
    if (failures.n >= p.config.canary.failureLimit) return verdicts;
    d.progress(`${p.stack}: step ${i + 1} failed ${failures.n} of ${p.config.canary.failureLimit} allowed checks; asking again`);
  }
}

async function runStep(d: Deps, s: StackSession, p: CanaryPlan, i: number, outputs: Record<string, unknown>, failures: { n: number }, note: Journal) {
  const weight = p.steps[i];
  const started = d.clock.now();
  const label = `step ${i + 1}/${p.steps.length} weight ${weight}%`;
  const targets = stepTargets(outputs, p.services, p.version);
  d.progress(`${p.stack}: ${label}: ${targets ? "targeted" : "full"} update`);
  const r = await applyRelease(d, s, note, { action: "step", step: i, weight, version: p.version, services: p.services }, stepValues(p.version, weight, p.services),
    { targets, signal: d.signal, message: `slipway promote ${p.version} ${label}` });
  const after = r.outputs ?? (await d.engine.outputs(p.stack));
  await verifyWeight(d, p, after, weight);
  const verdicts = await analyse(d, p, i, weight, failures);
  const ok = verdicts.every((v) => v.ok);
  const report: StepReport = { step: i, weight, targeted: targets !== undefined, ok, verdicts, durationMs: d.clock.now() - started };
  await note({ event: "outcome", action: "step", step: i, weight, ok, verdicts, targeted: report.targeted, durationMs: report.durationMs });
  d.progress(`${p.stack}: ${label}: verdict ${ok ? "pass" : "FAIL"} in ${report.durationMs} ms`);
  return { report, outputs: after };
}

/**
 * Weight 0 and canary cleared in one update (targeted at the release resources when known). Never interruptible.
 * `intent` names what asked for it (a failed step's rollback, an abort, a recovery).
 */
export async function rollback(d: Deps, s: StackSession, note: Journal, outputs: Record<string, unknown> | undefined, message: string, intent: Intent = { action: "rollback", detail: message }) {
  const targets = outputs ? releaseTargets(outputs) : undefined;
  d.progress(`${s.stack}: rolling back (${targets ? "targeted" : "full"} update): ${message}`);
  await applyRelease(d, s, note, intent, rollbackValues(), { targets, message: `slipway rollback: ${message}` });
}

async function finalize(d: Deps, s: StackSession, p: CanaryPlan, note: Journal): Promise<void> {
  const started = d.clock.now();
  d.progress(`${p.stack}: ${p.version} becomes stable; canary scales to zero (full update)`);
  await applyRelease(d, s, note, { action: "finalize", version: p.version, services: p.services }, finalValues(p.version, p.services, s.rel.config),
    { signal: d.signal, message: `slipway promote ${p.version}: stable` });
  await note({ event: "outcome", action: "finalize", ok: true, durationMs: d.clock.now() - started });
}

/** Runs the steps from `p.from`, then makes the version stable. On any failure rolls back and throws. */
export async function runCanary(d: Deps, s: StackSession, p: CanaryPlan): Promise<StepReport[]> {
  const note = s.note(p.promotionId);
  const reports: StepReport[] = [];
  const failures = { n: 0 };
  let outputs = await d.engine.outputs(p.stack);
  try {
    for (let i = p.from; i < p.steps.length; i++) {
      const r = await runStep(d, s, p, i, outputs, failures, note);
      reports.push(r.report);
      outputs = r.outputs;
      if (!r.report.ok) throw new StepFailed(`gates failed at ${r.report.weight}%: ${r.report.verdicts.filter((v) => !v.ok).map((v) => `${v.provider}: ${v.detail}`).join("; ")}`);
    }
    await finalize(d, s, p, note);
    return reports;
  } catch (err) {
    throw await failAndRollBack(d, s, p, note, outputs, err, reports);
  }
}

async function failAndRollBack(d: Deps, s: StackSession, p: CanaryPlan, note: Journal, outputs: Record<string, unknown>, err: unknown, steps: StepReport[]): Promise<Error> {
  const cause = d.signal.aborted ? "interrupted (SIGINT)" : err instanceof Error ? err.message.split("\n")[0] : String(err);
  if (err instanceof LockedError) return err;
  const started = d.clock.now();
  try {
    await rollback(d, s, note, outputs, cause);
  } catch (rbErr) {
    const why = rbErr instanceof Error ? rbErr.message.split("\n")[0] : String(rbErr);
    await note({ event: "outcome", action: "rollback", ok: false, detail: why });
    await note({ event: "end", action: "promote", status: "failed", detail: `${cause}; rollback failed: ${why}` });
    if (rbErr instanceof SlipwayError && rbErr.kind === "locked") return rbErr;
    return new EngineError(`${p.stack}: ${cause}; the rollback failed too (${why}): run slipway abort --stack ${p.stack}`);
  }
  await note({ event: "outcome", action: "rollback", ok: true, durationMs: d.clock.now() - started });
  await note({ event: "end", action: "promote", status: "rolled-back", detail: cause });
  if (err instanceof PolicyError) return err;
  return new RolledBackError(`${p.stack}: ${p.version} rolled back: ${cause}`, { steps });
}
