// `slipway promote --continue`: a promotion paused for a person (a `pause` step, or a gate without data set to
// `onNoData: pause`) goes on from a later job, a fresh process with only the store. Admission is the stack's own
// (freeze, approval); four-eyes counts the person who started the promotion, who may not also continue it.
import type { Deps } from "../deps";
import { InputError } from "../errors";
import type { Approval } from "../release/approval";
import type { Evidence } from "../release/evidence";
import type { StackSession } from "../state/lock";
import { openPromotion, PromotionRecord } from "../state/progress";
import type { Resumption } from "./recover";

/** The paused promotion of the stack; refuses when there is none (or it is of another version). */
export function pausedPromotion(
  stack: string,
  entries: Parameters<typeof openPromotion>[0],
  version?: string,
): PromotionRecord {
  const open = openPromotion(entries);
  if (open === undefined || open.status !== "paused")
    throw new InputError(
      `--continue: ${stack} has no paused promotion${open ? ` (promotion ${open.promotionId} of ${open.version} is ${open.status ?? "interrupted"})` : ""}; drop --continue`,
    );
  if (version !== undefined && version !== open.version)
    throw new InputError(
      `--continue: the paused promotion of ${stack} ships ${open.version}, not ${version}; drop --version or give --version ${open.version}`,
    );
  return open;
}

/**
 * Four-eyes at a continue: the person continuing, and every approver of the continuing run, must be someone other than
 * the one who started the promotion. Someone who cannot be named cannot be shown to be someone else.
 */
export function checkContinuer(
  stack: string,
  rule: { fourEyes: boolean },
  open: PromotionRecord,
  continuer: string | undefined,
  approval: Approval | undefined,
): void {
  if (!rule.fourEyes) return;
  const refuse = (why: string) =>
    new InputError(`${stack}: --continue refused (four-eyes): ${why}; another person must continue the promotion`);
  if (open.startedBy === undefined) throw refuse(`promotion ${open.promotionId} names no starter`);
  if (continuer === undefined) throw refuse("the person continuing cannot be named");
  if (continuer === open.startedBy) throw refuse(`${continuer} started promotion ${open.promotionId}`);
  const approver = approval?.approvers.find((a) => a === open.startedBy);
  if (approver) throw refuse(`the approver ${approver} started promotion ${open.promotionId}`);
}

/** Who may continue a paused promotion, as status shows it. */
export function mayContinue(
  rule: { fourEyes: boolean; requiredReviewers: number; environment: string },
  startedBy?: string,
): string {
  const who = rule.fourEyes ? `anyone but ${startedBy ?? "the starter"}` : "anyone";
  const review =
    rule.requiredReviewers > 0 ? ` with ${rule.requiredReviewers} approved ${rule.environment} review(s)` : "";
  return `${who}${review}`;
}

/**
 * Under the lock: the promotion is still the paused one admitted (an abort may have closed it meanwhile); journals
 * the continue with its evidence and returns where to go on.
 */
export async function continueFrom(
  d: Deps,
  s: StackSession,
  promotionId: string,
  evidence: Evidence,
): Promise<Resumption> {
  const open = pausedPromotion(s.stack, await s.state.read());
  if (open.promotionId !== promotionId)
    throw new InputError(`--continue: ${s.stack}'s paused promotion changed while admitting; run --continue again`);
  const from = open.completedSteps.length === 0 ? 0 : Math.max(...open.completedSteps) + 1;
  await s.note(open.promotionId)({
    event: "outcome",
    action: "continue",
    status: "resumed",
    ok: true,
    step: from,
    version: open.version,
    approvedBy: evidence.approval?.approvers.join(", "),
    evidence,
  });
  d.progress(
    `${s.stack}: continuing ${open.version} at step ${from + 1}/${open.steps.length} (paused at ${open.pausedAt?.weight ?? s.rel.config.release.canaryWeight}%)`,
  );
  return {
    promotionId: open.promotionId,
    steps: open.steps,
    services: open.services,
    from,
    pauseAfter: open.pauseAfter,
    deploymentId: open.deploymentId,
  };
}
