// Canary weight steps as sequenced stack updates: intent -> config -> update -> applied weight -> interval ->
// gates -> outcome, and the one-update rollback. Every failure ends in a rollback; the caller maps what is thrown.
import type { StackConfig } from "../../stacks/config";
import type { Deps } from "../deps";
import { EngineError, LockedError, PolicyError, RolledBackError, SlipwayError } from "../errors";
import { runGates } from "./gates";
import type { JournalEntry, StackState } from "../state/journal";
import { candidate, finalValues, releaseTargets, rollbackValues, stepTargets, stepValues, weightMismatches } from "./values";
import type { Verdict } from "../types";
import { engineUpdates, previewSummary } from "./evidence";

export interface CanaryPlan {
  stack: string;
  promotionId: string;
  version: string;
  services: string[];
  steps: number[];
  /** Index of the first step to run (0, or after the last completed step on --resume). */
  from: number;
  intervalMs: number;
  raw: Record<string, string>;
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

export type Note = Omit<JournalEntry, "at" | "promotionId" | "stack">;
export function journal(d: Deps, state: StackState, stack: string, promotionId: string) {
  return (e: Note) => state.append({ at: new Date(d.clock.now()).toISOString(), promotionId, stack, ...e });
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

async function runStep(d: Deps, p: CanaryPlan, i: number, outputs: Record<string, unknown>, failures: { n: number }, note: ReturnType<typeof journal>) {
  const weight = p.steps[i];
  const started = d.clock.now();
  const label = `step ${i + 1}/${p.steps.length} weight ${weight}%`;
  await note({ event: "intent", action: "step", step: i, weight, version: p.version, services: p.services });
  const values = stepValues(p.version, weight, p.services);
  candidate(p.stack, p.raw, values);
  const targets = stepTargets(outputs, p.services, p.version);
  d.progress(`${p.stack}: ${label}: ${targets ? "targeted" : "full"} update`);
  const r = await d.engine.up(p.stack, { config: values, targets, signal: d.signal, message: `slipway promote ${p.version} ${label}` });
  const after = r.outputs ?? (await d.engine.outputs(p.stack));
  await verifyWeight(d, p, after, weight);
  const verdicts = await analyse(d, p, i, weight, failures);
  const ok = verdicts.every((v) => v.ok);
  const report: StepReport = { step: i, weight, targeted: targets !== undefined, ok, verdicts, durationMs: d.clock.now() - started };
  const evidence = i === 0 ? { preview: previewSummary(r) } : undefined;
  await note({ event: "outcome", action: "step", step: i, weight, ok, verdicts, targeted: report.targeted, durationMs: report.durationMs, evidence });
  d.progress(`${p.stack}: ${label}: verdict ${ok ? "pass" : "FAIL"} in ${report.durationMs} ms`);
  return { report, outputs: after };
}

/** Weight 0 and canary cleared in one update (targeted at the release resources when known). Never interruptible. */
export async function rollback(d: Deps, stack: string, raw: Record<string, string>, outputs: Record<string, unknown> | undefined, message: string) {
  const values = rollbackValues();
  candidate(stack, raw, values);
  const targets = outputs ? releaseTargets(outputs) : undefined;
  d.progress(`${stack}: rolling back (${targets ? "targeted" : "full"} update): ${message}`);
  await d.engine.up(stack, { config: values, targets, message: `slipway rollback: ${message}` });
}

async function finalize(d: Deps, p: CanaryPlan, note: ReturnType<typeof journal>): Promise<void> {
  const started = d.clock.now();
  await note({ event: "intent", action: "finalize", version: p.version, services: p.services });
  const values = finalValues(p.version, p.services, p.config);
  candidate(p.stack, p.raw, values);
  d.progress(`${p.stack}: ${p.version} becomes stable; canary scales to zero (full update)`);
  const r = await d.engine.up(p.stack, { config: values, signal: d.signal, message: `slipway promote ${p.version}: stable` });
  await note({ event: "outcome", action: "finalize", ok: true, durationMs: d.clock.now() - started, evidence: { preview: previewSummary(r) } });
}

/** Runs the steps from `p.from`, then makes the version stable. On any failure rolls back and throws. */
export async function runCanary(d: Deps, state: StackState, p: CanaryPlan): Promise<StepReport[]> {
  const note = journal(d, state, p.stack, p.promotionId);
  const reports: StepReport[] = [];
  const failures = { n: 0 };
  let outputs = await d.engine.outputs(p.stack);
  try {
    for (let i = p.from; i < p.steps.length; i++) {
      const r = await runStep(d, p, i, outputs, failures, note);
      reports.push(r.report);
      outputs = r.outputs;
      if (!r.report.ok) throw new StepFailed(`gates failed at ${r.report.weight}%: ${r.report.verdicts.filter((v) => !v.ok).map((v) => `${v.provider}: ${v.detail}`).join("; ")}`);
    }
    await finalize(d, p, note);
    return reports;
  } catch (err) {
    throw await failAndRollBack(d, p, note, outputs, err, reports);
  }
}

async function failAndRollBack(d: Deps, p: CanaryPlan, note: ReturnType<typeof journal>, outputs: Record<string, unknown>, err: unknown, steps: StepReport[]): Promise<Error> {
  const cause = d.signal.aborted ? "interrupted (SIGINT)" : err instanceof Error ? err.message.split("\n")[0] : String(err);
  if (err instanceof LockedError) return err;
  const started = d.clock.now();
  await note({ event: "intent", action: "rollback", detail: cause });
  try {
    await rollback(d, p.stack, p.raw, outputs, cause);
  } catch (rbErr) {
    const why = rbErr instanceof Error ? rbErr.message.split("\n")[0] : String(rbErr);
    await note({ event: "outcome", action: "rollback", ok: false, detail: why });
    await note({ event: "end", action: "promote", status: "failed", detail: `${cause}; rollback failed: ${why}`, evidence: await engineUpdates(d, p.stack, p.startedAt) });
    if (rbErr instanceof SlipwayError && rbErr.kind === "locked") return rbErr;
    return new EngineError(`${p.stack}: ${cause}; the rollback failed too (${why}): run slipway abort --stack ${p.stack}`);
  }
  await note({ event: "outcome", action: "rollback", ok: true, durationMs: d.clock.now() - started });
  await note({ event: "end", action: "promote", status: "rolled-back", detail: cause, evidence: await engineUpdates(d, p.stack, p.startedAt) });
  if (err instanceof PolicyError) return err;
  return new RolledBackError(`${p.stack}: ${p.version} rolled back: ${cause}`, { steps });
}
