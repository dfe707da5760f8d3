// `slipway promote`: staged promotion (dev -> staging -> prod; local stands alone) through canary steps.
import { SERVICE_NAMES } from "../../components/naming";
import { environmentOfStack, StackConfig } from "../../stacks/config";
import type { PromoteArgs } from "../cli/argv";
import { applyRelease, CanaryPlan, runCanary, StepReport } from "../release/canary";
import type { Deps } from "../deps";
import { InputError } from "../errors";
import { StackSession, withStackLock } from "../state/lock";
import { stageReadiness } from "../state/progress";
import { readRelease, releaseAfter } from "../state/release";
import { recoverIfInterrupted } from "./recover";
import { finalValues, stepValues } from "../release/values";

export interface PromoteResult {
  stack: string;
  version: string;
  status: "completed" | "unchanged" | "dry-run";
  promotionId?: string;
  skipCanary: boolean;
  steps: StepReport[];
  plan?: { steps: number[]; intervalMs: number; services: string[]; previous?: string };
  durationMs: number;
}

const PREVIOUS: Record<string, string | undefined> = { staging: "dev", prod: "staging" };

/** A local stack named after a stage (local-staging) plays that stage on the local cluster, after local-dev. */
const LOCAL_STAGE = /^(.*local-)(staging|prod)$/;

/** The stage before `stack`: the stack of the previous environment with the same suffix, else the bare name. */
export function previousStage(stack: string, stacks: readonly string[]): string | undefined {
  const local = LOCAL_STAGE.exec(stack);
  if (local) {
    const prev = `${local[1]}${PREVIOUS[local[2]]}`;
    return stacks.includes(prev) ? prev : undefined;
  }
  const env = environmentOfStack(stack);
  const prev = env ? PREVIOUS[env] : undefined;
  if (prev === undefined) return undefined;
  const same = stack.replace(env as string, prev);
  return stacks.includes(same) ? same : prev;
}

async function checkStage(d: Deps, a: PromoteArgs, config: StackConfig, services: string[]): Promise<string | undefined> {
  const prev = previousStage(a.stack, d.stacks);
  if (prev === undefined) return undefined;
  const ready = stageReadiness(await d.state(prev).read(), a.version, d.clock.now(), config.canary.soak);
  if (!ready.ok) throw new InputError(`${a.stack} takes ${a.version} only after ${prev} ran it healthily, but ${ready.why}: promote ${prev} first`);
  const running = (await readRelease(d.engine, d.state(prev), prev)).config.release.serviceVersions as Record<string, string>;
  const behind = services.filter((s) => running[s] !== a.version);
  if (behind.length > 0) throw new InputError(`${prev} no longer runs ${a.version} on ${behind.join(", ")}: promote ${prev} first`);
  return prev;
}

function planOf(a: PromoteArgs, c: StackConfig, resumeFrom?: { steps: number[]; services?: string[]; from: number }) {
  return {
    steps: resumeFrom?.steps ?? a.steps ?? c.canary.steps,
    intervalMs: a.intervalMs ?? c.canary.interval,
    services: resumeFrom?.services ?? a.services ?? [...SERVICE_NAMES],
    from: resumeFrom?.from ?? 0,
  };
}

async function dryRun(d: Deps, a: PromoteArgs, started: number): Promise<PromoteResult> {
  const rel = await readRelease(d.engine, d.state(a.stack), a.stack);
  const plan = planOf(a, rel.config);
  const previous = previousStage(a.stack, d.stacks);
  d.progress(`${a.stack}: plan: ${a.skipCanary ? "skip canary" : `steps ${plan.steps.join(" -> ")}% every ${plan.intervalMs} ms`} for ${plan.services.join(", ")}`);
  const values = a.skipCanary ? finalValues(a.version, plan.services, rel.config) : stepValues(a.version, plan.steps[0], plan.services);
  await d.engine.preview(a.stack, { release: releaseAfter(rel, values), signal: d.signal });
  return { stack: a.stack, version: a.version, status: "dry-run", skipCanary: a.skipCanary, steps: [], plan: { ...plan, previous }, durationMs: d.clock.now() - started };
}

async function skipCanary(d: Deps, s: StackSession, a: PromoteArgs, id: string, services: string[]): Promise<void> {
  const note = s.note(id);
  d.progress(`${a.stack}: skipping the canary (${a.reason}): ${a.version} becomes stable (full update)`);
  await applyRelease(d, s, note, { action: "finalize", version: a.version, services, reason: a.reason }, finalValues(a.version, services, s.rel.config),
    { signal: d.signal, message: `slipway promote ${a.version} --skip-canary: ${a.reason}` });
  await note({ event: "outcome", action: "finalize", ok: true });
}

export async function promote(d: Deps, a: PromoteArgs): Promise<PromoteResult> {
  const started = d.clock.now();
  if (a.dryRun) return dryRun(d, a, started);
  return withStackLock(d, a.stack, "promote", (s) => promoteLocked(d, s, a, started));
}

async function promoteLocked(d: Deps, s: StackSession, a: PromoteArgs, started: number): Promise<PromoteResult> {
  const resumed = await recoverIfInterrupted(d, s, a.version, a.resume);
  const config = s.rel.config;
  const plan = planOf(a, config, resumed);
  await checkStage(d, a, config, plan.services);
  const id = resumed?.promotionId ?? s.id;
  const base = { stack: a.stack, version: a.version, promotionId: id, skipCanary: a.skipCanary, plan };
  const current = config.release.serviceVersions as Record<string, string>;
  if (!resumed && config.release.canaryVersion === undefined && plan.services.every((s) => current[s] === a.version)) {
    d.progress(`${a.stack}: already runs ${a.version} on ${plan.services.join(", ")}; nothing to do`);
    return { ...base, promotionId: undefined, status: "unchanged", steps: [], durationMs: d.clock.now() - started };
  }
  const note = s.note(id);
  if (!resumed) {
    await note({
      event: "start", action: a.skipCanary ? "skip-canary" : "promote", version: a.version, stableVersion: config.release.stableVersion,
      steps: a.skipCanary ? [] : plan.steps, services: plan.services, approvedBy: a.approvedBy, reason: a.reason, host: d.host.hostname, pid: d.host.pid,
    });
  }
  let steps: StepReport[] = [];
  if (a.skipCanary) await skipCanary(d, s, a, id, plan.services);
  else steps = await runCanary(d, s, { stack: a.stack, promotionId: id, version: a.version, config, ...plan } satisfies CanaryPlan);
  await note({ event: "end", action: a.skipCanary ? "skip-canary" : "promote", status: "completed", version: a.version, durationMs: d.clock.now() - started });
  d.progress(`${a.stack}: ${a.version} promoted in ${d.clock.now() - started} ms`);
  return { ...base, status: "completed", steps, durationMs: d.clock.now() - started };
}
