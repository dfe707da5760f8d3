// `slipway promote`: staged promotion (dev -> staging -> prod; local stands alone) through canary steps.
import { SERVICE_NAMES } from "../../components/naming";
import { environmentOfStack, parseStackConfig, StackConfig } from "../../stacks/config";
import type { PromoteArgs } from "../cli/argv";
import { CanaryPlan, journal, runCanary, StepReport } from "../release/canary";
import type { Deps } from "../deps";
import { InputError } from "../errors";
import type { LockHolder, StackState } from "../state/journal";
import { stageReadiness } from "../state/progress";
import { recoverIfInterrupted } from "./recover";
import { candidate, finalValues, stepValues } from "../release/values";
import { admit, engineUpdates, Evidence, gatesOf, origin, previewSummary } from "../release/evidence";
import { activeWindow, BreakGlass } from "../release/freeze";
import { headOf } from "../state/chain";

export interface PromoteResult {
  stack: string;
  version: string;
  status: "completed" | "unchanged" | "dry-run";
  promotionId?: string;
  skipCanary: boolean;
  steps: StepReport[];
  plan?: { steps: number[]; intervalMs: number; services: string[]; previous?: string };
  /** Hash of the journal's last entry after the promotion: keep it outside the backend (`audit verify --head`). */
  journalHead?: string;
  /** Set when a change freeze was overridden (--break-glass). */
  breakGlass?: BreakGlass;
  durationMs: number;
}

const PREVIOUS: Record<string, string | undefined> = { staging: "dev", prod: "staging" };

/** The stage before `stack`: the stack of the previous environment with the same suffix, else the bare name. */
export function previousStage(stack: string, stacks: readonly string[]): string | undefined {
  const env = environmentOfStack(stack);
  const prev = env ? PREVIOUS[env] : undefined;
  if (prev === undefined) return undefined;
  const same = stack.replace(env as string, prev);
  return stacks.includes(same) ? same : prev;
}

async function readConfig(d: Deps, stack: string): Promise<{ raw: Record<string, string>; config: StackConfig }> {
  const raw = await d.engine.getConfig(stack);
  return { raw, config: candidate(stack, raw, {}) };
}

async function checkStage(d: Deps, a: PromoteArgs, config: StackConfig, services: string[]): Promise<string | undefined> {
  const prev = previousStage(a.stack, d.stacks);
  if (prev === undefined) return undefined;
  const ready = stageReadiness(await d.state(prev).read(), a.version, d.clock.now(), config.canary.soak);
  if (!ready.ok) throw new InputError(`${a.stack} takes ${a.version} only after ${prev} ran it healthily, but ${ready.why}: promote ${prev} first`);
  const running = parseStackConfig(prev, await d.engine.getConfig(prev)).release.serviceVersions as Record<string, string>;
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
  const { raw, config } = await readConfig(d, a.stack);
  const plan = planOf(a, config);
  const previous = previousStage(a.stack, d.stacks);
  const frozen = activeWindow(config.freeze, d.clock.now());
  if (frozen) d.progress(`${a.stack}: inside freeze "${frozen.name}" until ${frozen.end}: the promotion itself would be refused without --break-glass --reason`);
  d.progress(`${a.stack}: plan: ${a.skipCanary ? "skip canary" : `steps ${plan.steps.join(" -> ")}% every ${plan.intervalMs} ms`} for ${plan.services.join(", ")}`);
  const values = a.skipCanary ? finalValues(a.version, plan.services, config) : stepValues(a.version, plan.steps[0], plan.services);
  candidate(a.stack, raw, values);
  await d.engine.preview(a.stack, { config: values, signal: d.signal });
  return { stack: a.stack, version: a.version, status: "dry-run", skipCanary: a.skipCanary, steps: [], plan: { ...plan, previous }, durationMs: d.clock.now() - started };
}

async function skipCanary(d: Deps, state: StackState, a: PromoteArgs, id: string, raw: Record<string, string>, config: StackConfig, services: string[]): Promise<void> {
  const note = journal(d, state, a.stack, id);
  await note({ event: "intent", action: "finalize", version: a.version, services, reason: a.reason });
  const values = finalValues(a.version, services, config);
  candidate(a.stack, raw, values);
  d.progress(`${a.stack}: skipping the canary (${a.reason}): ${a.version} becomes stable (full update)`);
  const r = await d.engine.up(a.stack, { config: values, signal: d.signal, message: `slipway promote ${a.version} --skip-canary: ${a.reason}` });
  await note({ event: "outcome", action: "finalize", ok: true, evidence: { preview: previewSummary(r) } });
}

export async function promote(d: Deps, a: PromoteArgs): Promise<PromoteResult> {
  const started = d.clock.now();
  if (a.dryRun) return dryRun(d, a, started);
  const admitted = await admit(d, a.stack, (await readConfig(d, a.stack)).config, a);
  const state = d.state(a.stack);
  const id = d.newId();
  const holder: LockHolder = { pid: d.host.pid, host: d.host.hostname, startedAt: new Date(started).toISOString(), promotionId: id, command: "promote" };
  const release = await state.acquire(holder, (s) => d.progress(`${a.stack}: removed the stale lock of pid ${s.pid} (${s.promotionId})`));
  try {
    return await promoteLocked(d, state, a, id, started, { ...origin(d), ...admitted });
  } finally {
    await release();
  }
}

async function promoteLocked(d: Deps, state: StackState, a: PromoteArgs, newId: string, started: number, evidence: Evidence): Promise<PromoteResult> {
  const resumed = await recoverIfInterrupted(d, state, a.stack, a.version, a.resume);
  const { raw, config } = await readConfig(d, a.stack);
  const plan = planOf(a, config, resumed);
  await checkStage(d, a, config, plan.services);
  const id = resumed?.promotionId ?? newId;
  const base = { stack: a.stack, version: a.version, promotionId: id, skipCanary: a.skipCanary, plan, breakGlass: evidence.breakGlass };
  const current = config.release.serviceVersions as Record<string, string>;
  if (!resumed && config.release.canaryVersion === undefined && plan.services.every((s) => current[s] === a.version)) {
    d.progress(`${a.stack}: already runs ${a.version} on ${plan.services.join(", ")}; nothing to do`);
    return { ...base, promotionId: undefined, status: "unchanged", steps: [], durationMs: d.clock.now() - started };
  }
  const note = journal(d, state, a.stack, id);
  if (!resumed) {
    await note({
      event: "start", action: a.skipCanary ? "skip-canary" : "promote", version: a.version, stableVersion: config.release.stableVersion,
      steps: a.skipCanary ? [] : plan.steps, services: plan.services, approvedBy: evidence.approval?.approvers.join(", "), reason: a.reason,
      host: d.host.hostname, pid: d.host.pid, evidence: { ...evidence, gates: a.skipCanary ? undefined : gatesOf(config) },
    });
  }
  let steps: StepReport[] = [];
  if (a.skipCanary) await skipCanary(d, state, a, id, raw, config, plan.services);
  else steps = await runCanary(d, state, { stack: a.stack, promotionId: id, version: a.version, raw, config, startedAt: started, ...plan } satisfies CanaryPlan);
  const updates = await engineUpdates(d, a.stack, started);
  await note({ event: "end", action: a.skipCanary ? "skip-canary" : "promote", status: "completed", version: a.version, durationMs: d.clock.now() - started, evidence: updates });
  d.progress(`${a.stack}: ${a.version} promoted in ${d.clock.now() - started} ms`);
  const journalHead = headOf(await state.records());
  return { ...base, status: "completed", steps, journalHead, durationMs: d.clock.now() - started };
}
