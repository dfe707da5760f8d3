// The driver's release policy, resolved with its defaults: canary steps and gates, release hooks, approval and change
// freezes. The program builds no resource from these; the driver reads them through parseStackConfig.
import type { z } from "zod";
import { Environment, parseDuration, splitSteps, StepEntry } from "../../contract/release";
import type { hookSchema } from "./gates";
import type { AnalysisProvider, ApprovalRule, CanaryPolicy, FreezeWindow, HookJob, ReleaseHooks } from "./policyTypes";
import type { Parsed } from "./schema";

/** A duration the schema already accepted, in milliseconds. */
function durationMs(text: string): number {
  return parseDuration(text)!;
}

type GateInput = NonNullable<NonNullable<Parsed["canary"]>["analysis"]>[number];

function resolveGate(g: GateInput): AnalysisProvider {
  if (g.provider !== "job") return g;
  const { timeout, ...rest } = g;
  return { ...rest, name: g.name ?? "gate-job", timeout: durationMs(timeout ?? "5m") };
}

type HookInput = z.infer<typeof hookSchema>;
function resolveHook(h: HookInput): HookJob {
  const { timeout, irreversible, ...rest } = h;
  return { ...rest, timeout: durationMs(timeout ?? "10m"), irreversible: irreversible ?? false };
}

export function resolveHooks(p: Parsed): ReleaseHooks {
  const h = p.release?.hooks ?? {};
  return { preTraffic: (h.preTraffic ?? []).map(resolveHook), postPromotion: (h.postPromotion ?? []).map(resolveHook) };
}

/** The weights, and the pauses only when there are any (a policy without pauses reads as before). */
function canarySteps(steps: StepEntry[]): { steps: number[]; pauseAfter?: number[] } {
  const { steps: weights, pauseAfter } = splitSteps(steps);
  return pauseAfter.length > 0 ? { steps: weights, pauseAfter } : { steps: weights };
}

export function resolveCanary(p: Parsed): CanaryPolicy {
  const c = p.canary ?? {};
  const analysis = c.analysis?.map(resolveGate) ?? [{ provider: "kubernetes" as const }];
  return {
    strategy: c.strategy ?? "canary",
    ...canarySteps(c.steps ?? [10, 30, 100]),
    interval: durationMs(c.interval ?? "60s"),
    failureLimit: c.failureLimit ?? 1,
    soak: durationMs(c.soak ?? "0s"),
    timeout: durationMs(c.timeout ?? "5m"),
    analysis,
    prePromotionAnalysis: c.prePromotionAnalysis?.map(resolveGate) ?? analysis,
    bake: durationMs(c.bake ?? "0s"),
    postPromotionAnalysis: c.postPromotionAnalysis?.map(resolveGate) ?? analysis,
  };
}

export function resolveApproval(stack: string, env: Environment, p: Parsed): ApprovalRule {
  const prod = env === "prod";
  const a = p.approval ?? {};
  const rule = {
    requiredReviewers: a.requiredReviewers ?? (prod ? 1 : 0),
    fourEyes: a.fourEyes ?? prod,
    environment: a.environment ?? stack,
  };
  // Absent: a rollback needs what a promotion needs.
  const r = a.rollback;
  if (r === undefined) return rule;
  return {
    ...rule,
    rollback: {
      requiredReviewers: r.requiredReviewers ?? rule.requiredReviewers,
      fourEyes: r.fourEyes ?? rule.fourEyes,
      environment: r.environment ?? rule.environment,
    },
  };
}

export function resolveFreeze(p: Parsed): FreezeWindow[] {
  const f = p.freeze;
  return (f?.windows ?? []).map((w) => ({ ...w, timeZone: w.timeZone ?? f?.timeZone ?? "UTC" }));
}
