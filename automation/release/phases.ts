// The phases of a release plan between its updates (./plan.ts): the pause between a step and its gates (which an
// abort request from another job cuts short), the gates themselves, what follows the prepare update (the backup's
// journal entry, blue-green's pre-promotion gates) and the bake window. Each throws PhaseFailed to end the promotion;
// the executor (./canary.ts) decides between a rollback and a hold.
import type { AnalysisProvider as GateSpec } from "../../stacks/config";
import type { Deps } from "../deps";
import { JobRefusedError } from "../errors";
import type { Journal } from "../state/journal";
import type { StackSession } from "../state/lock";
import type { GateContext, Verdict } from "../types";
import { runGates } from "./gates";
import type { Execution } from "./planTypes";
import { humanDuration } from "../report/format";

export class PhaseFailed extends Error {}

/** How often a pause looks for an abort request: the backend is read once per poll. */
export const ABORT_POLL_MS = 2000;

/** Throws PhaseFailed when another job asked this promotion to roll back (`slipway abort` while it holds the lock). */
export async function checkAbortRequest(s: StackSession, x: Execution): Promise<void> {
  const r = await s.state.abortRequest();
  if (r === undefined || r.promotionId !== x.promotionId) return;
  throw new PhaseFailed(`abort requested by ${r.by}${r.reason ? `: ${r.reason}` : ""}`);
}

/** Sleeps `ms`, looking for an abort request every ABORT_POLL_MS; SIGINT still ends it at once. */
export async function pause(d: Deps, s: StackSession, x: Execution, ms: number): Promise<void> {
  const end = d.clock.now() + ms;
  for (let left = ms; left > 0; left = end - d.clock.now()) {
    await d.clock.sleep(Math.min(left, ABORT_POLL_MS), d.signal);
    await checkAbortRequest(s, x);
  }
}

export interface GateRound {
  specs: GateSpec[];
  weight: number;
  /** The step number shown in progress and handed to the gates (0 = before any traffic). */
  step: number;
}

function gateContext(d: Deps, x: Execution, round: GateRound): GateContext {
  const { plan: p, config: c } = x;
  return {
    stack: p.stack,
    namespace: c.namespace,
    services: p.services,
    canaryVersion: p.version,
    stableVersion: c.release.stableVersion,
    weight: round.weight,
    step: round.step,
    kubeconfigPath: d.kubeconfigPath,
    ...(Object.keys(p.digests ?? {}).length > 0 && { digests: p.digests }),
  };
}

/** The released services' own gates (the catalogue's `gates`), each asked about its service alone. */
function serviceGates(d: Deps, x: Execution): Array<{ service: string; providers: ReturnType<Deps["providers"]> }> {
  return x.plan.services.flatMap((service) => {
    const own = x.config.catalogue?.[service]?.gates ?? [];
    return own.length > 0 ? [{ service, providers: d.providers(own) }] : [];
  });
}

/**
 * The one gate loop: an interval (cut short by an abort request), then every provider; a failed check is asked again
 * after another interval until failureLimit failures. Without `until` it ends at the first pass (the analysis after a
 * step); with it (the bake window) it keeps asking until that instant, at least once.
 */
async function gateLoop(
  d: Deps,
  s: StackSession,
  x: Execution,
  round: GateRound,
  failures: { n: number },
  until?: number,
): Promise<{ verdicts: Verdict[]; passed: boolean; pause?: boolean }> {
  const { plan: p, config: c } = x;
  const providers = d.providers(round.specs);
  const own = serviceGates(d, x);
  const ctx = gateContext(d, x, round);
  for (;;) {
    const wait = until === undefined ? p.intervalMs : Math.max(0, Math.min(p.intervalMs, until - d.clock.now()));
    await pause(d, s, x, wait);
    const verdicts = await runGates(d, providers, ctx, c.canary.timeout, d.signal);
    for (const g of own)
      verdicts.push(...(await runGates(d, g.providers, { ...ctx, services: [g.service] }, c.canary.timeout, d.signal)));
    // A Job the policy pack refused was never created: asking again cannot pass, and nothing ran to roll back from.
    const refused = verdicts.find((v) => v.refusedByPolicy);
    if (refused) throw new JobRefusedError(`gate ${refused.provider}: ${refused.detail}`);
    const ok = verdicts.every((v) => v.ok);
    if (!ok && ++failures.n >= c.canary.failureLimit)
      return { verdicts, passed: false, pause: until === undefined && pausesOnNoData(round.specs, verdicts) };
    if (until === undefined ? ok : d.clock.now() >= until) return { verdicts, passed: true };
    if (!ok)
      d.progress(
        `${p.stack}: step ${round.step} failed ${failures.n} of ${c.canary.failureLimit} allowed checks; asking again`,
      );
  }
}

/**
 * Whether the failed checks failed only for want of data, each on a gate set to `onNoData: pause`: the promotion then
 * pauses for a person instead of rolling back. Verdicts come in the order of their specs (analysis/index.ts).
 */
export function pausesOnNoData(specs: readonly GateSpec[], verdicts: readonly Verdict[]): boolean {
  const failed = verdicts.map((v, i) => ({ v, spec: specs[i] })).filter(({ v }) => !v.ok);
  return failed.length > 0 && failed.every(({ v, spec }) => v.noData === true && spec?.onNoData === "pause");
}

/** One interval, then the gates; asked again after another interval until failureLimit failures are reached. */
export async function analyse(
  d: Deps,
  s: StackSession,
  x: Execution,
  round: GateRound,
  failures: { n: number },
): Promise<Verdict[]> {
  return (await gateLoop(d, s, x, round, failures)).verdicts;
}

/** As analyse, and whether the round failed only for want of data on gates that pause on it. */
export async function analyseStep(
  d: Deps,
  s: StackSession,
  x: Execution,
  round: GateRound,
  failures: { n: number },
): Promise<{ verdicts: Verdict[]; pause: boolean }> {
  const r = await gateLoop(d, s, x, round, failures);
  return { verdicts: r.verdicts, pause: r.pause === true };
}

export function failedText(verdicts: Verdict[]): string {
  return verdicts
    .filter((v) => !v.ok)
    .map((v) => `${v.provider}: ${v.detail}`)
    .join("; ");
}

/** The snapshot the prepare update took, from the stack's `backup` output, journaled with its id. */
export async function noteBackup(
  d: Deps,
  x: Execution,
  note: Journal,
  outputs: Record<string, unknown>,
): Promise<void> {
  const { plan: p } = x;
  if (p.backup === "local") {
    d.progress(`${p.stack}: backup: the local stack has no database; nothing to snapshot`);
    return note({ event: "outcome", action: "backup", ok: true, detail: "local stack: no database, no snapshot" });
  }
  if (p.backup !== "snapshot") return;
  const b = outputs.backup as { snapshotId?: unknown } | undefined;
  if (typeof b?.snapshotId !== "string")
    throw new PhaseFailed(`the stack exported no backup snapshot for ${p.version} (output backup.snapshotId)`);
  d.progress(`${p.stack}: backup: database snapshot ${b.snapshotId} taken before any traffic moves`);
  await note({ event: "outcome", action: "backup", ok: true, detail: `snapshot ${b.snapshotId}` });
}

/** Blue-green: the new version's gates at weight 0, through its own Service, before the switch. */
export async function prePromotion(
  d: Deps,
  s: StackSession,
  x: Execution,
  note: Journal,
  failures: { n: number },
): Promise<void> {
  const { plan: p, config: c } = x;
  const started = d.clock.now();
  d.progress(`${p.stack}: pre-promotion gates against ${p.version} at weight 0`);
  const verdicts = await analyse(d, s, x, { specs: c.canary.prePromotionAnalysis, weight: 0, step: 0 }, failures);
  const ok = verdicts.every((v) => v.ok);
  await note({ event: "outcome", action: "prepare", ok, verdicts, durationMs: d.clock.now() - started });
  if (!ok) throw new PhaseFailed(`pre-promotion gates failed at weight 0: ${failedText(verdicts)}`);
}

/**
 * The bake window: the new version takes the traffic the last step gave it while the old one stays at full size on
 * the stable track; the post-promotion gates run every interval until the window ends. At least one round runs.
 */
export async function bake(d: Deps, s: StackSession, x: Execution, note: Journal, weight: number): Promise<void> {
  const { plan: p, config: c } = x;
  const started = d.clock.now();
  d.progress(
    `${p.stack}: bake ${humanDuration(p.bakeMs)} at ${weight}%: the previous version stays at full size until it ends`,
  );
  await note({ event: "intent", action: "bake", weight, durationMs: p.bakeMs });
  const round = { specs: c.canary.postPromotionAnalysis, weight, step: p.steps.length };
  const r = await gateLoop(d, s, x, round, { n: 0 }, started + p.bakeMs);
  if (!r.passed) {
    await note({
      event: "outcome",
      action: "bake",
      ok: false,
      verdicts: r.verdicts,
      durationMs: d.clock.now() - started,
    });
    throw new PhaseFailed(`post-promotion gates failed in the bake window: ${failedText(r.verdicts)}`);
  }
  await note({ event: "outcome", action: "bake", ok: true, durationMs: d.clock.now() - started });
  d.progress(`${p.stack}: bake: passed in ${humanDuration(d.clock.now() - started)}`);
}
