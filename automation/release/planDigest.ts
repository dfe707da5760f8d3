// The reviewed plan of a promotion: what `promote --dry-run --plan-out` shows a reviewer (the release plan, the previews
// of its first update and its final stable update, the stack config it was made from) and the SHA-256 of its RFC 8785
// canonical JSON. The apply job (`promote --plan-digest`) recomputes the document and refuses when the digest differs,
// naming which part changed, so what runs is exactly what was approved. Pure.
import { createHash } from "crypto";
import canonicalize from "canonicalize";
import { redact } from "../secrets";
import type { PreviewSummary } from "./evidence";
import type { ReleasePlan } from "./planTypes";

export const PLAN_KIND = "slipway-plan/v1";

export interface PlanDocument {
  kind: typeof PLAN_KIND;
  stack: string;
  version: string;
  /** The weights, the pauses, the services and the shape: what the steps section of a difference names. */
  steps: { weights: number[]; pauseAfter: number[]; services: string[]; strategy: string; skipCanary: boolean };
  /** SHA-256 of the canonical stack config the plan was made from (the config itself may hold secrets). */
  configDigest: string;
  plan: ReleasePlan;
  /** The previews of the first update and of the final stable update (secrets masked). */
  previews: { first: PreviewSummary; stable: PreviewSummary };
}

/** A written plan: the document and its digest. */
export interface PlanFile extends PlanDocument {
  digest: string;
}

const SHA256 = /^[0-9a-f]{64}$/;

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function canonical(value: unknown): string {
  return canonicalize(JSON.parse(JSON.stringify(value))) ?? "";
}

export function planDocument(
  plan: ReleasePlan,
  config: unknown,
  previews: { first: PreviewSummary; stable: PreviewSummary },
): PlanDocument {
  return {
    kind: PLAN_KIND,
    stack: plan.stack,
    version: plan.version,
    steps: {
      weights: [...plan.steps],
      pauseAfter: [...plan.pauseAfter],
      services: [...plan.services],
      strategy: plan.strategy,
      skipCanary: plan.skipCanary,
    },
    configDigest: sha256Hex(canonical(config)),
    plan,
    previews: redact(previews),
  };
}

/** The SHA-256 (hex) of the document's canonical JSON; a `digest` field, if present, is left out. */
export function planDigest(doc: PlanDocument): string {
  const { digest: _ignored, ...rest } = doc as PlanFile;
  return sha256Hex(canonical(rest));
}

export function planFile(doc: PlanDocument): PlanFile {
  return { ...doc, digest: planDigest(doc) };
}

/** `--plan-digest`: 64 lower-case hex digits. */
export function checkDigest(text: string): string | undefined {
  return SHA256.test(text) ? undefined : "give the 64 hex digits promote --dry-run --plan-out printed (sha256)";
}

/** Which parts of two plan documents differ: version, steps, stack config, resource changes. */
export function planDifferences(reviewed: PlanDocument, now: PlanDocument): string[] {
  const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);
  const out: string[] = [];
  if (reviewed.stack !== now.stack || reviewed.version !== now.version)
    out.push(`version (reviewed ${reviewed.version} to ${reviewed.stack}, now ${now.version} to ${now.stack})`);
  if (!same(reviewed.steps, now.steps)) out.push("steps (weights, pauses, services or strategy)");
  if (reviewed.configDigest !== now.configDigest) out.push("stack config");
  const { steps: _a, ...planA } = reviewed.plan;
  const { steps: _b, ...planB } = now.plan;
  if (!same(reviewed.previews, now.previews) || !same(planA, planB))
    out.push("resource changes (the previews or the releases the updates apply)");
  return out;
}
