// `slipway promote`: staged promotion (dev -> staging -> prod; local stands alone) through canary steps. It checks
// the stage order, builds the release plan (automation/release/plan.ts) and hands it to the executor (canary.ts).
import { previousStage, SERVICE_NAMES } from "../../contract/release";
import type { StackConfig } from "../../stacks/config";
import { runPlan, StepReport } from "../release/canary";
import { planRelease, planText, ReleasePlan } from "../release/plan";
import type { Deps } from "../deps";
import { EXIT, InputError } from "../errors";
import { StackSession, withStackLock } from "../state/lock";
import { stageReadiness } from "../state/progress";
import { readRelease, StackRelease } from "../state/release";
import { readPromotionDigests } from "../release/digests";
import { recoverIfInterrupted, Resumption } from "./recover";
import { admit, engineUpdates, Evidence, gatesOf, origin } from "../release/evidence";
import { activeWindow, BreakGlass } from "../release/freeze";
import { headOf } from "../state/chain";
import { breakGlassArgs, durationArg, freeText, oneStack, servicesArg, stepsArg, versionArg } from "./args";
import { glassLine, JSON_OPTION, Opts, Verb } from "./command";

export interface PromoteArgs {
  stack: string;
  version: string;
  approvedBy?: string;
  steps?: number[];
  intervalMs?: number;
  skipCanary: boolean;
  /** Override a change freeze; needs `reason`. */
  breakGlass: boolean;
  reason?: string;
  dryRun: boolean;
  resume: boolean;
  services?: string[];
  json: boolean;
}
import { verifyStack } from "../state/integrity";

export interface PromoteResult {
  stack: string;
  version: string;
  status: "completed" | "unchanged" | "dry-run";
  promotionId?: string;
  skipCanary: boolean;
  steps: StepReport[];
  plan: ReleasePlan;
  /** Hash of the journal's last entry after the promotion: keep it outside the backend (`audit verify --head`). */
  journalHead?: string;
  /** Set when a change freeze was overridden (--break-glass). */
  breakGlass?: BreakGlass;
  durationMs: number;
}

/** The stage before a stack among the known stacks (contract/release.ts). */
export { previousStage };

async function checkStage(
  d: Deps,
  a: PromoteArgs,
  config: StackConfig,
  services: string[],
): Promise<string | undefined> {
  const prev = previousStage(a.stack, d.stacks);
  if (prev === undefined) return undefined;
  // Admission reads only a verified journal: entries inserted or rewritten by hand must not admit a version.
  const state = d.state(prev);
  const verified = await verifyStack(state);
  if (!verified.ok)
    throw new InputError(
      `${a.stack} is admitted on ${prev}'s journal, which does not verify (${verified.broken!.problem} at ${verified.broken!.ref}: ` +
        `${verified.broken!.detail}): run slipway audit verify --stack ${prev}, restore that journal, then promote again`,
    );
  const ready = stageReadiness(await state.read(), a.version, d.clock.now(), config.canary.soak);
  if (!ready.ok)
    throw new InputError(
      `${a.stack} takes ${a.version} only after ${prev} ran it healthily, but ${ready.why}: promote ${prev} first`,
    );
  const running = (await readRelease(d.engine, state, prev)).config.release.serviceVersions as Record<string, string>;
  const behind = services.filter((s) => running[s] !== a.version);
  if (behind.length > 0)
    throw new InputError(`${prev} no longer runs ${a.version} on ${behind.join(", ")}: promote ${prev} first`);
  return prev;
}

/** The release plan from the arguments, the stack's release and canary policy, and the deployed stack. */
async function buildPlan(
  d: Deps,
  a: PromoteArgs,
  rel: StackRelease,
  resumed?: Resumption,
  digests?: Record<string, string>,
): Promise<ReleasePlan> {
  const c: StackConfig = rel.config;
  return planRelease({
    digests,
    stack: a.stack,
    version: a.version,
    skipCanary: a.skipCanary,
    reason: a.reason,
    previous: previousStage(a.stack, d.stacks),
    steps: resumed?.steps ?? a.steps ?? c.canary.steps,
    intervalMs: a.intervalMs ?? c.canary.interval,
    services: resumed?.services ?? a.services ?? [...SERVICE_NAMES],
    from: resumed?.from ?? 0,
    rel,
    outputs: await d.engine.outputs(a.stack),
    strategy: c.canary.strategy,
    bakeMs: c.canary.bake,
    hooks: {
      preTraffic: c.hooks.preTraffic.map((h) => h.name),
      postPromotion: c.hooks.postPromotion.map((h) => h.name),
    },
    backup: c.backup ? (c.environment === "local" ? "local" : "snapshot") : "none",
  });
}

async function dryRun(d: Deps, a: PromoteArgs, started: number): Promise<PromoteResult> {
  const rel = await readRelease(d.engine, d.state(a.stack), a.stack);
  const services = a.services ?? [...SERVICE_NAMES];
  const at = { stack: a.stack, version: a.version, config: rel.config, services };
  const plan = await buildPlan(
    d,
    a,
    rel,
    undefined,
    await readPromotionDigests(d, at, previousStage(a.stack, d.stacks)),
  );
  const frozen = activeWindow(rel.config.freeze, d.clock.now());
  if (frozen)
    d.progress(
      `${a.stack}: inside freeze "${frozen.name}" until ${frozen.end}: the promotion itself would be refused without --break-glass --reason`,
    );
  d.progress(
    `${a.stack}: plan: ${plan.updates.map((u) => u.label).join(" -> ")} for ${plan.services.join(", ")}; previewing the first update`,
  );
  await d.engine.preview(a.stack, { release: plan.updates[0].release, signal: d.signal });
  return {
    stack: a.stack,
    version: a.version,
    status: "dry-run",
    skipCanary: a.skipCanary,
    steps: [],
    plan,
    durationMs: d.clock.now() - started,
  };
}

export async function promote(d: Deps, a: PromoteArgs): Promise<PromoteResult> {
  const started = d.clock.now();
  if (a.dryRun) return dryRun(d, a, started);
  // Admission (freeze, approval) before the lock: a refused promotion changes nothing and holds nothing.
  const admitted = await admit(d, a.stack, (await readRelease(d.engine, d.state(a.stack), a.stack)).config, a);
  return withStackLock(d, a.stack, "promote", (s) => promoteLocked(d, s, a, started, { ...origin(d), ...admitted }));
}

async function promoteLocked(
  d: Deps,
  s: StackSession,
  a: PromoteArgs,
  started: number,
  evidence: Evidence,
): Promise<PromoteResult> {
  const resumed = await recoverIfInterrupted(d, s, a.version, a.resume);
  const config = s.rel.config;
  const services = resumed?.services ?? a.services ?? [...SERVICE_NAMES];
  const prev = await checkStage(d, a, config, services);
  const digests = await readPromotionDigests(d, { stack: a.stack, version: a.version, config, services }, prev);
  const plan = await buildPlan(d, a, s.rel, resumed, digests);
  const id = resumed?.promotionId ?? s.id;
  const base = {
    stack: a.stack,
    version: a.version,
    promotionId: id,
    skipCanary: a.skipCanary,
    plan,
    breakGlass: evidence.breakGlass,
  };
  const current = config.release.serviceVersions as Record<string, string>;
  if (!resumed && config.release.canaryVersion === undefined && plan.services.every((s) => current[s] === a.version)) {
    d.progress(`${a.stack}: already runs ${a.version} on ${plan.services.join(", ")}; nothing to do`);
    return { ...base, promotionId: undefined, status: "unchanged", steps: [], durationMs: d.clock.now() - started };
  }
  const note = s.note(id);
  if (!resumed) {
    await note({
      event: "start",
      action: a.skipCanary ? "skip-canary" : "promote",
      version: a.version,
      stableVersion: config.release.stableVersion,
      steps: plan.steps,
      services: plan.services,
      approvedBy: evidence.approval?.approvers.join(", "),
      reason: a.reason,
      host: d.host.hostname,
      pid: d.host.pid,
      evidence: { ...evidence, gates: a.skipCanary ? undefined : gatesOf(config) },
    });
  }
  const steps = await runPlan(d, s, { promotionId: id, plan, config, startedAt: started }, a.reason);
  const updates = await engineUpdates(d, a.stack, started);
  await note({
    event: "end",
    action: a.skipCanary ? "skip-canary" : "promote",
    status: "completed",
    version: a.version,
    durationMs: d.clock.now() - started,
    evidence: updates,
  });
  d.progress(`${a.stack}: ${a.version} promoted in ${d.clock.now() - started} ms`);
  const journalHead = headOf(await s.state.records());
  return { ...base, status: "completed", steps, journalHead, durationMs: d.clock.now() - started };
}

/** The wait between a step and its analysis: at least a second, at most a day (Node's timers stop at 24.8 days). */
export const INTERVAL_MS = { min: 1_000, max: 86_400_000 } as const;

function parsePromote(o: Opts, stacks: readonly string[]): PromoteArgs {
  const stack = oneStack(o, stacks);
  const version = versionArg(o);
  const approvedBy = freeText(o, "approvedBy", "--approved-by");
  const skipCanary = o.skipCanary === true;
  const { breakGlass, reason } = breakGlassArgs(o, skipCanary);
  if (skipCanary && reason === undefined)
    throw new InputError('--skip-canary needs --reason: say why, e.g. --reason "CVE-2026-1234 hotfix"');
  const steps = stepsArg(o);
  const intervalMs = durationArg(o, "interval", "--interval", INTERVAL_MS.min, INTERVAL_MS.max);
  if (skipCanary && (steps !== undefined || intervalMs !== undefined))
    throw new InputError("--skip-canary runs no canary steps: drop --steps and --interval, or drop --skip-canary");
  const resume = o.resume === true;
  const dryRun = o.dryRun === true;
  if (resume && dryRun) throw new InputError("--resume changes the stack: drop --dry-run, or drop --resume");
  if (resume && skipCanary)
    throw new InputError("--resume continues canary steps: drop --skip-canary, or drop --resume");
  const services = servicesArg(o);
  const json = o.json === true;
  return {
    stack,
    version,
    approvedBy,
    steps,
    intervalMs,
    skipCanary,
    breakGlass,
    reason,
    dryRun,
    resume,
    services,
    json,
  };
}

function promoteLine(r: PromoteResult): string {
  if (r.status === "dry-run") return planText(r.plan);
  if (r.status === "unchanged") return `${r.stack} already runs ${r.version}\n`;
  const head = r.journalHead ? `; journal head ${r.journalHead}` : "";
  return `${r.version} promoted to ${r.stack} (${r.skipCanary ? "canary skipped" : `${r.steps.length} steps`}, ${r.durationMs} ms)${head}\n`;
}

export const promoteVerb: Verb<PromoteArgs> = {
  words: ["promote"],
  description: "release a version to a stack through canary steps and health gates",
  options: [
    { flags: "--stack <name>", help: "stack to promote to (dev -> staging -> prod; local stands alone)" },
    { flags: "--version <version>", help: "image version to release, e.g. 1.4.0" },
    {
      flags: "--approved-by <name>",
      help: "approver outside CI (journaled as unverified); in GitHub Actions the environment review is read instead",
    },
    {
      flags: "--steps <weights>",
      help: "canary weights in percent, e.g. 10,30,100 (default: the stack's canary.steps)",
    },
    {
      flags: "--interval <duration>",
      help: "wait between a step and its analysis, 1s to 24h, e.g. 60s (default: the stack's)",
    },
    { flags: "--services <names>", help: "release only these services, comma-separated (default: every service)" },
    { flags: "--skip-canary", help: "go straight to stable (urgent fix); needs --reason" },
    { flags: "--break-glass", help: "override a change freeze (journaled, flagged in every report); needs --reason" },
    { flags: "--reason <text>", help: "why the canary is skipped or the freeze overridden; recorded" },
    {
      flags: "--resume",
      help: "continue an interrupted or held promotion from its last completed step instead of rolling back",
    },
    { flags: "--dry-run", help: "print the plan and the preview; change nothing" },
    JSON_OPTION,
  ],
  parse: parsePromote,
  async run(d, a) {
    const r = await promote(d, a);
    const outcome = r.status === "completed" ? "promoted" : r.status;
    return { code: EXIT.ok, json: r, text: glassLine(r.breakGlass) + promoteLine(r), outcome };
  },
};
