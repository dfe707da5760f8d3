// Rollback of a finished release, what `slipway rollback` does (automation/release/revert.ts): the stack finished a
// release of the new version (every service's stable track on it, the canary cleared), then every stable track moves
// back to the old version in one update. Timed until every `<svc>-stable` Deployment names the old version's image
// and until each has rolled it out, read from the cluster. Alternated per run with the seeds' manual way (kubectl set
// image of the same Deployments, until the same rollout is complete): the pods' readiness on this cluster. Each run
// starts from a finished release of the new version, rolled forward untimed; the manual rollback is undone untimed.
import type { Deps } from "../../automation/deps";
import type { Journal } from "../../automation/state/journal";
import { revertPlan } from "../../automation/release/revert";
import { applyRelease } from "../../automation/release/rollback";
import { finalValues } from "../../automation/release/values";
import { releaseAfter, type StackRelease } from "../../automation/state/release";
import { parseStackConfig, withRelease } from "../../stacks/config";
import { setImages } from "./cluster";
import { childCpu, fmt, gap, log, ms, record } from "./measure";
import { imageOf, retagged, stableTrack, untilRolledOut } from "./rollout";
import type { FinishedFigures } from "./figures";
import type { Bench } from "./runs";
import { CANARY, RUNS, services, STACK } from "./setup";

/** The release the driver reads under its lock after a finished release of `version` (the bench keeps no record). */
function finishedRel(rel: StackRelease, version: string): StackRelease {
  const raw = withRelease(rel.file, releaseAfter(rel, finalValues(version, services, rel.config)));
  return { ...rel, raw, config: parseStackConfig(STACK, raw) };
}

/** Untimed: the release of the new version finished (its finalize update), rolled out; the stack's outputs after. */
async function rollForward(b: Bench): Promise<Record<string, unknown>> {
  const r = await b.engine.up(STACK, {
    release: releaseAfter(b.session.rel, finalValues(CANARY, services, b.session.rel.config)),
    message: `bench: ${CANARY} released`,
  });
  await untilRolledOut(b.env, CANARY, process.hrtime.bigint(), () => undefined);
  return r.outputs ?? (await b.engine.outputs(STACK));
}

/**
 * The driver's fast rollback: the plan `slipway rollback` builds (revertPlan over the finished release) and its one
 * update applied as revert() applies it (applyRelease: intent, update, record; the bench journals and records
 * nothing). Left out: the live gates revert() runs after the update (liveGates). The local stack has none (its only
 * gate, the kubernetes provider, judges canary pods, which a rollback leaves none of), and the gates a stack would
 * have there (Prometheus, Datadog, a webhook) need a metrics server the bench lacks; they judge the stack once it
 * serves, after what is timed here.
 */
async function driverRollback(b: Bench, outputs: Record<string, unknown>, old: string) {
  const s = { ...b.session, rel: finishedRel(b.session.rel, CANARY) };
  const reason = "bench: finished release rolled back";
  const plan = revertPlan(s, outputs, { version: old, reason, canary: false });
  if (plan.updates.length !== 1) throw new Error(`the fast rollback planned ${plan.updates.length} updates, not 1`);
  const d = { engine: b.engine, progress: () => {} } as unknown as Deps;
  const note: Journal = async () => undefined;
  const what = `every service's stable track to ${old} in one update`;
  await gap();
  const start = process.hrtime.bigint();
  const c0 = childCpu();
  let failed: unknown;
  let ended = NaN;
  const update = applyRelease(
    d,
    s,
    note,
    { action: "rollback", version: old, services: plan.services, reason, detail: what },
    plan.updates[0].release,
    { message: `slipway rollback to ${old}: ${reason}` },
  ).then(
    () => (ended = ms(start)),
    (err) => (failed = err ?? new Error("the rollback's update failed")),
  );
  const r = await untilRolledOut(b.env, old, start, () => failed);
  await update;
  if (failed !== undefined) throw failed;
  return { ...r, ended, cpu: childCpu() - c0 };
}

/** kubectl set image of every stable Deployment to `old`, until rolled out; then back to what the stack holds. */
async function kubectlRollback(b: Bench, old: string) {
  const track = await stableTrack(b.env);
  const held = Object.fromEntries(services.map((s) => [s, imageOf(track[s], s)]));
  const back = Object.fromEntries(services.map((s) => [s, retagged(held[s], old)]));
  await gap();
  const start = process.hrtime.bigint();
  await setImages(b.env, back);
  const patched = ms(start);
  const r = await untilRolledOut(b.env, old, start, () => undefined);
  // Untimed: the very images the stack applied, so the same pod template (its ReplicaSet) and no drift.
  await setImages(b.env, held);
  await untilRolledOut(b.env, CANARY, process.hrtime.bigint(), () => undefined);
  return { patched, serving: r.serving };
}

/** Per run: a finished release of the new version, the manual rollback (undone), the driver's rollback. */
export async function finishedRollbacks(b: Bench): Promise<FinishedFigures> {
  const old = b.session.rel.config.release.stableVersion;
  const applied: number[] = [];
  const serving: number[] = [];
  const rollout: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const outputs = await rollForward(b);
    const k = await kubectlRollback(b, old);
    rollout.push(k.serving);
    const e = await driverRollback(b, outputs, old);
    applied.push(e.applied);
    record(serving, e.serving, e.cpu);
    log(
      `rollback of a finished release ${CANARY} -> ${old}: applied after ${fmt(e.applied)}, serving after ${fmt(e.serving)}, update ended after ${fmt(e.ended)}; kubectl set image: returned after ${fmt(k.patched)}, rolled out after ${fmt(k.serving)}`,
    );
  }
  return { applied, serving, rollout };
}
