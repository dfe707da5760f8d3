// `slipway promote`: staged promotion (dev -> staging -> prod; local stands alone) through canary steps. It checks
// the stage order, builds the release plan (./promotePlan.ts, automation/release/plan.ts) and hands it to the executor
// (canary.ts). A pause in the steps ends the command `paused` (exit 7); `--continue` from a later job goes on
// (./promoteContinue.ts).
import { previousStage } from "../../contract/release";
import { Paused, runPlanUntilPause, StepReport } from "../release/canary";
import { planText, ReleasePlan } from "../release/plan";
import type { Deps } from "../deps";
import { EXIT, SlipwayError } from "../errors";
import { StackSession, withStackLock } from "../state/lock";
import type { Journal } from "../state/journal";
import type { StackConfig } from "../../stacks/config";
import type { Deployment } from "../release/deployments";
import { readRelease } from "../state/release";
import { recoverIfInterrupted } from "./recover";
import { admit, engineUpdates, Evidence, gatesOf, origin } from "../release/evidence";
import type { BreakGlass } from "../release/freeze";
import { headOf } from "../state/chain";
import { INTERVAL_MS, parsePromote, PromoteArgs } from "./promoteParse";
import { APPROVED_BY_OPTION, glassLine, JSON_OPTION, VERBOSE_OPTION, Verb } from "./command";
import { humanDuration } from "../report/format";
import { canariedServices } from "../release/values";
import { buildPlan, checkPlanDigest, checkServices, checkStage, dryRunPlan } from "./promotePlan";

export { checkServices };
import { checkContinuer, continueFrom, pausedPromotion } from "./promoteContinue";
import { failedSummary, promoteSummary } from "../report/jobSummary";

export type { PromoteArgs };

export interface PromoteResult {
  stack: string;
  version: string;
  status: "completed" | "unchanged" | "dry-run" | "paused";
  promotionId?: string;
  skipCanary: boolean;
  steps: StepReport[];
  plan: ReleasePlan;
  /** Hash of the journal's last entry after the promotion: keep it outside the backend (`audit verify --head`). */
  journalHead?: string;
  /** Set when a change freeze was overridden (--break-glass). */
  breakGlass?: BreakGlass;
  /** Where a paused promotion stopped and how to go on. */
  paused?: Paused;
  /** The SHA-256 of the plan (--dry-run) or of the reviewed plan applied (--plan-digest). */
  planDigest?: string;
  /** --dry-run --plan-out: the file the plan was written to. */
  planOut?: string;
  durationMs: number;
}

/** The stage before a stack among the known stacks (contract/release.ts). */
export { previousStage };

async function dryRun(d: Deps, a: PromoteArgs, started: number): Promise<PromoteResult> {
  const { plan, digest } = await dryRunPlan(d, a);
  const base = { stack: a.stack, version: a.version, skipCanary: a.skipCanary, steps: [], plan };
  const out = a.planOut ? { planOut: a.planOut } : {};
  return { ...base, status: "dry-run", planDigest: digest, ...out, durationMs: d.clock.now() - started };
}

export async function promote(d: Deps, a: PromoteArgs): Promise<PromoteResult> {
  const started = d.clock.now();
  if (a.dryRun) return dryRun(d, a, started);
  if (a.continue) return continuePaused(d, a, started);
  const config = (await readRelease(d.engine, d.state(a.stack), a.stack)).config;
  // The reviewed plan, then admission (freeze, approval), before the lock: a refusal changes nothing, holds nothing.
  checkServices(config, a);
  const digest = await checkPlanDigest(d, a);
  const admitted = await admit(d, a.stack, config, a);
  const plan = digest ? { plan: { digest, url: a.planUrl } } : {};
  return withStackLock(d, a.stack, "promote", (s) =>
    promoteLocked(d, s, a, started, { ...origin(d), ...admitted, ...plan }),
  );
}

/** `--continue`: the paused promotion, admitted as the stack admits any, by someone other than its starter. */
async function continuePaused(d: Deps, a: PromoteArgs, started: number): Promise<PromoteResult> {
  const state = d.state(a.stack);
  const config = (await readRelease(d.engine, state, a.stack)).config;
  const open = pausedPromotion(a.stack, await state.read(), a.version || undefined);
  const admitted = await admit(d, a.stack, config, a);
  const who = origin(d);
  checkContinuer(a.stack, config.approval, open, who.startedBy, admitted.approval);
  const args = { ...a, version: open.version, skipCanary: false };
  return withStackLock(d, a.stack, "promote", (s) =>
    promoteLocked(d, s, args, started, { ...who, ...admitted }, open.promotionId),
  );
}

/** The change record's start: what is shipped, the steps and pauses, who approved it, the gates, the deployment. */
async function noteStart(
  d: Deps,
  note: Journal,
  a: PromoteArgs,
  plan: ReleasePlan,
  config: StackConfig,
  evidence: Evidence,
): Promise<void> {
  await note({
    event: "start",
    action: a.skipCanary ? "skip-canary" : "promote",
    version: a.version,
    stableVersion: config.release.stableVersion,
    steps: plan.steps,
    pauseAfter: plan.pauseAfter.length > 0 ? plan.pauseAfter : undefined,
    intervalMs: plan.intervalMs,
    bakeMs: plan.bakeMs,
    services: plan.services,
    approvedBy: evidence.approval?.approvers.join(", "),
    reason: a.reason,
    host: d.host.hostname,
    pid: d.host.pid,
    evidence: { ...evidence, gates: a.skipCanary ? undefined : gatesOf(config) },
  });
}

const idOf = (x: Deployment) => (x.id === undefined ? undefined : { id: x.id });

async function promoteLocked(
  d: Deps,
  s: StackSession,
  a: PromoteArgs,
  started: number,
  evidence: Evidence,
  continuing?: string,
): Promise<PromoteResult> {
  const resumed = continuing
    ? await continueFrom(d, s, continuing, evidence)
    : await recoverIfInterrupted(d, s, a.version, a.resume);
  const config = s.rel.config;
  await checkStage(d, a, config, resumed?.services ?? a.services ?? canariedServices(config));
  const plan = await buildPlan(d, a, s.rel, resumed);
  const id = resumed?.promotionId ?? s.id;
  const base = {
    stack: a.stack,
    version: a.version,
    promotionId: id,
    skipCanary: a.skipCanary,
    plan,
    breakGlass: evidence.breakGlass,
    planDigest: evidence.plan?.digest,
  };
  const current = config.release.serviceVersions as Record<string, string>;
  if (!resumed && config.release.canaryVersion === undefined && plan.services.every((s) => current[s] === a.version)) {
    d.progress(`${a.stack}: already runs ${a.version} on ${plan.services.join(", ")}; nothing to do`);
    return { ...base, promotionId: undefined, status: "unchanged", steps: [], durationMs: d.clock.now() - started };
  }
  const deployment = (await d.githubDeployment?.({
    environment: a.stack,
    version: a.version,
    id: resumed?.deploymentId,
  })) ?? { status: async () => undefined };
  const note = s.note(id);
  if (!resumed) await noteStart(d, note, a, plan, config, { ...evidence, deployment: idOf(deployment) });
  await deployment.status("in_progress", `${a.version}: ${plan.updates.map((u) => u.label).join(" -> ")}`);
  let ran: Awaited<ReturnType<typeof runPlanUntilPause>>;
  try {
    ran = await runPlanUntilPause(d, s, { promotionId: id, plan, config, startedAt: started }, a.reason);
  } catch (err) {
    await deployment.status("failure", err instanceof Error ? err.message.split("\n")[0] : String(err));
    throw err;
  }
  if (ran.paused) {
    await deployment.status("pending", `paused at ${ran.paused.weight}%: waiting for promote --continue`);
    const journalHead = headOf(await s.state.records());
    const out = { ...base, status: "paused" as const, steps: ran.reports, paused: ran.paused, journalHead };
    return { ...out, durationMs: d.clock.now() - started };
  }
  const updates = await engineUpdates(d, a.stack, started);
  await note({
    event: "end",
    action: a.skipCanary ? "skip-canary" : "promote",
    status: "completed",
    version: a.version,
    durationMs: d.clock.now() - started,
    evidence: updates,
  });
  await deployment.status("success", `${a.version} promoted`);
  d.progress(`${a.stack}: ${a.version} promoted in ${humanDuration(d.clock.now() - started)}`);
  const journalHead = headOf(await s.state.records());
  return { ...base, status: "completed", steps: ran.reports, journalHead, durationMs: d.clock.now() - started };
}

export { INTERVAL_MS };

function promoteLine(r: PromoteResult): string {
  if (r.status === "dry-run")
    return planText(r.plan) + (r.planOut ? `plan digest (sha256) ${r.planDigest}, written to ${r.planOut}\n` : "");
  if (r.status === "paused")
    return `${r.version} paused on ${r.stack} at ${r.paused!.weight}% after step ${r.paused!.step + 1}/${r.plan.steps.length}: ${r.paused!.detail}\n`;
  if (r.status === "unchanged") return `${r.stack} already runs ${r.version}\n`;
  const head = r.journalHead ? `; journal head ${r.journalHead}` : "";
  return `${r.version} promoted to ${r.stack} (${r.skipCanary ? "canary skipped" : `${r.steps.length} steps`}, ${humanDuration(r.durationMs)})${head}\n`;
}

export const promoteVerb: Verb<PromoteArgs> = {
  words: ["promote"],
  description: "release a version to a stack through canary steps and health gates",
  options: [
    { flags: "--stack <name>", help: "stack to promote to (dev -> staging -> prod; local stands alone)" },
    { flags: "--version <version>", help: "image version to release, e.g. 1.4.0" },
    APPROVED_BY_OPTION,
    {
      flags: "--steps <weights>",
      help: "canary weights in percent, e.g. 10,30,100; `pause` between two holds for a person, e.g. 10,pause,100 (default: the stack's canary.steps)",
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
    {
      flags: "--continue",
      help: "continue the stack's paused promotion after its pause (approved as the stack requires; four-eyes: not by its starter)",
    },
    { flags: "--dry-run", help: "print the plan and the previews of its first and final updates; change nothing" },
    {
      flags: "--plan-out <file>",
      help: "with --dry-run: write the plan, its previews and its sha256 digest to the file",
    },
    {
      flags: "--plan-digest <sha256>",
      help: "apply only if the plan recomputed now has this digest (the reviewed --plan-out); else exit 1, naming what differs",
    },
    { flags: "--plan-file <file>", help: "with --plan-digest: the reviewed plan file, to name what differs" },
    VERBOSE_OPTION,
    { flags: "--plan-url <url>", help: "with --plan-digest: link to the reviewed plan, recorded in the change record" },
    JSON_OPTION,
  ],
  parse: parsePromote,
  async run(d, a) {
    let r: PromoteResult;
    try {
      r = await promote(d, a);
    } catch (err) {
      const word = err instanceof SlipwayError ? err.kind : "failed";
      d.summary?.(failedSummary("promote", a.stack, word, err instanceof Error ? err.message : String(err)));
      throw err;
    }
    const outcome = r.status === "completed" ? "promoted" : r.status;
    if (r.status !== "dry-run") d.summary?.(promoteSummary(r));
    const code = r.status === "paused" ? EXIT.paused : EXIT.ok;
    return { code, json: r, text: glassLine(r.breakGlass) + promoteLine(r), outcome };
  },
};
