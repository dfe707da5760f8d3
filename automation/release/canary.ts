// The executor of a release plan (./plan.ts): the prepare update, each weight step, the hooks and the bake window,
// then the finalize (./steps.ts); every failure ends in a rollback (./rollback.ts), or a hold past an irreversible
// hook; the caller maps what is thrown.
import type { Deps } from "../deps";
import { EngineError, JobRefusedError, LockedError, PolicyError, RolledBackError, SlipwayError } from "../errors";
import type { Journal } from "../state/journal";
import type { StackSession } from "../state/lock";
import { engineUpdates } from "./evidence";
import { holdIfIrreversible } from "./hooks";
import { bake, failedText, noteBackup } from "./phases";
import type { Execution, StepReport } from "./planTypes";
import { rollback } from "./rollback";
import { finalize, hooks, prepare, Run, runStep, StepFailed } from "./steps";

export type { Execution, Intent, StepReport } from "./planTypes";
export { applyRelease, rollback } from "./rollback";

/** Runs the plan's updates and the phases between them. On any failure rolls back and throws. */
export async function runPlan(d: Deps, s: StackSession, x: Execution, reason?: string): Promise<StepReport[]> {
  return (await runPlanUntilPause(d, s, x, reason)).reports;
}

/** Where a plan stopped for a person: after `step` at `weight` (traffic stays there), and why. */
export interface Paused {
  step: number;
  weight: number;
  detail: string;
}

/**
 * As runPlan, but a pause in the steps (or a gate without data set to `onNoData: pause`) ends the run early: the
 * promotion's journal ends `paused`, traffic stays, and the caller releases the lock.
 */
export async function runPlanUntilPause(
  d: Deps,
  s: StackSession,
  x: Execution,
  reason?: string,
): Promise<{ reports: StepReport[]; paused?: Paused }> {
  const run: Run = { note: s.note(x.promotionId), reports: [], failures: { n: 0 } };
  try {
    if (x.plan.backup === "local" && x.plan.from === 0) await noteBackup(d, x, run.note, {});
    for (const u of x.plan.updates) {
      if (u.action === "prepare") await prepare(d, s, x, u, run);
      else if (u.action === "step") {
        const r = await runStep(d, s, x, u, run);
        run.reports.push(r);
        if (r.paused === "no-data" || (r.ok && u.pause))
          return { reports: run.reports, paused: await pauseHere(d, x, run.note, r) };
        if (!r.ok) throw new StepFailed(`gates failed at ${r.weight}%: ${failedText(r.verdicts)}`);
      } else {
        // postPromotion hooks run once the new version takes the last step's traffic, while the old one still runs.
        if (x.plan.steps.length > 0) await hooks(d, x, run, "postPromotion");
        if (x.plan.bakeMs > 0) await bake(d, s, x, run.note, x.plan.steps.at(-1) ?? 100);
        await finalize(d, s, x, u, run.note, reason);
        if (x.plan.steps.length === 0) await hooks(d, x, run, "postPromotion");
      }
    }
    return { reports: run.reports };
  } catch (err) {
    throw await failAndRollBack(d, s, x, run.note, err, run.reports);
  }
}

/** Ends the promotion `paused` at the step's weight: the journal says where and how to go on. */
async function pauseHere(d: Deps, x: Execution, note: Journal, r: StepReport): Promise<Paused> {
  const { stack, version } = x.plan;
  const why =
    r.paused === "no-data"
      ? `gates had no data at ${r.weight}% (${failedText(r.verdicts)})`
      : `pause after step ${r.step + 1} at ${r.weight}%`;
  const detail = `${why}: traffic stays; continue with slipway promote --stack ${stack} --continue, or roll back with slipway abort --stack ${stack}`;
  await note({
    event: "end",
    action: "promote",
    status: "paused",
    version,
    step: r.step,
    weight: r.weight,
    detail,
    evidence: await engineUpdates(d, stack, x.startedAt),
  });
  d.progress(`${stack}: PAUSED at ${r.weight}%: ${detail}`);
  return { step: r.step, weight: r.weight, detail };
}

/**
 * A hook or gate Job the policy pack refused was never created: nothing ran, so no update runs either. The promotion
 * ends `failed` with the policy's message, traffic stays where the last update put it, and the refusal is thrown.
 */
async function stopRefused(
  d: Deps,
  s: StackSession,
  x: Execution,
  note: Journal,
  err: JobRefusedError,
): Promise<Error> {
  const { stack, version } = x.plan;
  const weight = s.rel.config.release.canaryWeight;
  const where = `traffic stays at ${weight}% on ${version}`;
  const fix =
    weight > 0
      ? `fix the Job's config and promote again, or route back with slipway abort --stack ${stack}`
      : "fix the Job's config and promote again";
  await note({
    event: "end",
    action: "promote",
    status: "failed",
    ok: false,
    version,
    weight,
    detail: `${err.message.split("\n")[0]}; ${where}`,
    evidence: await engineUpdates(d, stack, x.startedAt),
  });
  d.progress(`${stack}: refused by policy before its Job was created; ${where}`);
  return new JobRefusedError(`${stack}: ${err.message}; ${where}: ${fix}`, err.detail);
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
  if (err instanceof JobRefusedError) return stopRefused(d, s, x, note, err);
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
