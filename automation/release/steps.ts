// The updates of a release plan as the executor (./canary.ts) runs them: the prepare update at weight 0 (then the
// backup's entry, the preTraffic hooks and blue-green's pre-promotion gates), each weight step (intent -> update ->
// record -> applied weight -> interval -> gates -> outcome), the hooks of a phase, and the finalize.
import type { Deps } from "../deps";
import type { Journal } from "../state/journal";
import type { StackSession } from "../state/lock";
import type { HookPhase } from "../state/store";
import { previewSummary } from "./evidence";
import { runHooks } from "./hooks";
import { analyseStep, noteBackup, PhaseFailed, prePromotion } from "./phases";
import type { Execution, PlannedUpdate, StepReport } from "./planTypes";
import { verifyApplied } from "./readback";
import { applyRelease } from "./rollback";
import { releaseTargets } from "./values";
import { humanDuration } from "../report/format";

export class StepFailed extends PhaseFailed {}

/** What one run of a plan carries from update to update. */
export interface Run {
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

/** The weight the update applied, from the stack's outputs and read back from the cluster. */
function verifyWeight(d: Deps, x: Execution, outputs: Record<string, unknown>, weight: number): Promise<void> {
  const { namespace, router } = x.config;
  const r = { stack: x.plan.stack, namespace, router, services: x.plan.services };
  return verifyApplied(d, r, outputs, weight, d.signal, (why) => new StepFailed(why));
}

export async function runStep(d: Deps, s: StackSession, x: Execution, u: PlannedUpdate, run: Run): Promise<StepReport> {
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
  const round = { specs: x.config.canary.analysis, weight, step: step + 1 };
  const { verdicts, pause } = await analyseStep(d, s, x, round, run.failures);
  const ok = verdicts.every((v) => v.ok);
  const report: StepReport = {
    step,
    weight,
    targeted: targets !== undefined,
    ok,
    verdicts,
    durationMs: d.clock.now() - started,
    ...(pause ? { paused: "no-data" as const } : {}),
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
  d.progress(`${p.stack}: ${u.label}: verdict ${ok ? "pass" : "FAIL"} in ${humanDuration(report.durationMs)}`);
  return report;
}

/**
 * The update at weight 0 before any traffic moves: the new version deployed (at full size for blue-green), the
 * backup taken in the same update; then what must pass before the first traffic step.
 */
export async function prepare(d: Deps, s: StackSession, x: Execution, u: PlannedUpdate, run: Run): Promise<void> {
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
export async function hooks(d: Deps, x: Execution, run: Run, phase: HookPhase): Promise<void> {
  const { plan: p, config: c } = x;
  const ctx = { stack: p.stack, namespace: c.namespace, version: p.version, promotionId: x.promotionId };
  const digests = Object.keys(p.digests ?? {}).length > 0 ? { digests: p.digests } : {};
  const r = await runHooks(d, run.note, phase, c.hooks[phase], {
    ...ctx,
    ...digests,
    kubeconfigPath: d.kubeconfigPath,
  });
  if (!r.ok) throw new PhaseFailed(r.detail);
}

export async function finalize(
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
