// What a change record carries beyond the journal's step lines: who started it and from which run, who approved it
// (verified or not), a freeze override, the commit, what the first step's preview showed, the engine's updates.
// Admission (approval + freeze) is decided here before a promotion or update takes the lock.
import type { FreezeWindowSpec } from "../../contract/freeze";
import { Approval, ApprovalRule, CiRun, flagApproval, verifyApproval } from "./approval";
import { BreakGlass, checkFreeze } from "./freeze";
import type { ChangeOp, PolicyViolation, ResourceChange } from "../types";

/** What these functions read of the driver's dependencies (automation/deps.ts Deps has it all). */
export interface EvidenceDeps {
  ci?: CiRun;
  host: { user?: string };
  commit?: string;
  clock: { now(): number };
  progress(line: string): void;
  engine: {
    history(
      stack: string,
      limit?: number,
    ): Promise<{ version: number; kind: string; result: string; message: string; startTime: string }[]>;
  };
}

/** A gate spec as the change record keeps it: stacks/config.ts AnalysisProvider, as far as the record reads it. */
export interface GateSpec {
  provider: "kubernetes" | "prometheus" | "http" | "job";
  url?: string;
  max?: number;
  status?: number;
}

export interface PreviewSummary {
  counts: Partial<Record<ChangeOp, number>>;
  replacements: string[];
  deletions: string[];
  /** Policy results: each violation's pack, policy, level and resource; none = every policy passed. */
  policy: {
    mandatory: number;
    advisory: number;
    violations: Pick<PolicyViolation, "policyName" | "level" | "resourceName" | "message">[];
  };
  /** Updated resources with their changed properties, before -> after, secrets masked. */
  changes: ResourceChange[];
}

export interface Evidence {
  approval?: Approval;
  breakGlass?: BreakGlass;
  /** Who started the change: the run's actor in CI, else the local user. */
  startedBy?: string;
  run?: { id: string; url: string; attempt?: string };
  commit?: string;
  preview?: PreviewSummary;
  /** The reviewed plan the promotion applied (`promote --plan-digest`, `--plan-url`): its SHA-256 and where it is. */
  plan?: { digest: string; url?: string };
  /** The GitHub deployment of the promotion, in GitHub Actions (automation/release/deployments.ts). */
  deployment?: { id: number };
  /** The gates the promotion was judged by (URL credentials removed): where each verdict's threshold comes from. */
  gates?: GateSpec[];
  /**
   * The engine's updates of the change, from the stack's update history: a version on backends that number their
   * updates (Pulumi Cloud), 0 on DIY backends (file, S3), where the start time and message identify the update.
   */
  updates?: { version: number; kind: string; result: string; message: string; startTime: string }[];
}

/** Who and where: the same for every command that changes a stack. */
export function origin(d: EvidenceDeps): Pick<Evidence, "startedBy" | "run" | "commit"> {
  const ci = d.ci;
  if (ci === undefined) return { startedBy: d.host.user, commit: d.commit };
  return {
    startedBy: ci.actor,
    commit: ci.sha,
    run: { id: ci.runId, url: `${ci.serverUrl}/${ci.repository}/actions/runs/${ci.runId}`, attempt: ci.runAttempt },
  };
}

/** Freeze first (it needs no network), then the approval: verified in GitHub Actions, the flag elsewhere. */
export async function admit(
  d: EvidenceDeps,
  stack: string,
  config: { freeze: FreezeWindowSpec[]; approval: ApprovalRule },
  a: { approvedBy?: string; breakGlass: boolean; reason?: string },
): Promise<Pick<Evidence, "approval" | "breakGlass">> {
  const breakGlass = checkFreeze(stack, config.freeze, d.clock.now(), a.breakGlass ? { reason: a.reason } : undefined);
  if (breakGlass)
    d.progress(
      `${stack}: BREAK-GLASS: freeze "${breakGlass.window.name}" (until ${breakGlass.window.end}) overridden: ${breakGlass.reason}`,
    );
  const rule = config.approval;
  if (d.ci === undefined || rule.requiredReviewers === 0) {
    const approval = flagApproval(stack, rule, a.approvedBy);
    if (approval)
      d.progress(`${stack}: approved by ${approval.approvers.join(", ")} (unverified: named with --approved-by)`);
    return { approval, breakGlass };
  }
  if (a.approvedBy !== undefined)
    d.progress(
      `${stack}: --approved-by ignored: in GitHub Actions the approver is read from the run's ${rule.environment} review`,
    );
  const approval = await verifyApproval(d.ci, rule);
  d.progress(
    `${stack}: approved by ${approval.approvers.join(", ")} (verified: ${rule.environment} environment review of run ${d.ci.runId})`,
  );
  return { approval, breakGlass };
}

/** The first step's preview as the change record keeps it. */
export function previewSummary(r: {
  counts: Partial<Record<ChangeOp, number>>;
  changes: ResourceChange[];
  violations: PolicyViolation[];
}): PreviewSummary {
  const decided = r.violations.filter((v) => !v.unverifiable);
  return {
    counts: r.counts,
    replacements: r.changes.filter((c) => c.op === "replace").map((c) => c.name),
    deletions: r.changes.filter((c) => c.op === "delete").map((c) => c.name),
    policy: {
      mandatory: decided.filter((v) => v.level === "mandatory").length,
      advisory: decided.filter((v) => v.level === "advisory").length,
      violations: decided.map((v) => ({
        policyName: v.policyName,
        level: v.level,
        resourceName: v.resourceName,
        message: v.message,
      })),
    },
    changes: r.changes.filter((c) => c.op !== "same"),
  };
}

/**
 * The engine's updates of a change: every update of the stack since it began (the stack was locked throughout), from
 * the stack's update history, read once at the end. A history that cannot be read is reported, not fatal.
 */
export async function engineUpdates(
  d: EvidenceDeps,
  stack: string,
  sinceMs: number,
): Promise<Pick<Evidence, "updates">> {
  try {
    const all = await d.engine.history(stack, 50);
    const mine = all.filter((u) => Date.parse(u.startTime) >= sinceMs - 1_000);
    const updates = mine.map((u) => ({
      version: u.version,
      kind: u.kind,
      result: u.result,
      message: u.message,
      startTime: u.startTime,
    }));
    return { updates: updates.sort((a, b) => Date.parse(a.startTime) - Date.parse(b.startTime)) };
  } catch (err) {
    d.progress(
      `${stack}: the update history could not be read for the change record (${err instanceof Error ? err.message.split("\n")[0] : String(err)})`,
    );
    return {};
  }
}

/** The stack's gate specs as the change record keeps them: a URL's user:password part never leaves the config. */
export function gatesOf<G extends GateSpec>(config: { canary: { analysis: G[] } }): G[] {
  return config.canary.analysis.map((g) => (g.url ? { ...g, url: g.url.replace(/\/\/[^/@]*@/, "//") } : { ...g }));
}
