// The types of a release plan (./plan.ts builds it, ./canary.ts runs it): the updates in order, the rollback, and what
// one execution of a plan carries and reports. Types only, so the builder, the executor and the phases between its
// updates share them without importing each other.
import type { StackConfig, Strategy } from "../../stacks/config";
import type { Note } from "../state/journal";
import type { StackRelease } from "../state/release";
import type { Release } from "../state/store";
import type { Verdict } from "../types";

export interface PlannedUpdate {
  /** prepare: the new version deployed at weight 0 before any traffic moves (blue-green, hooks, backup). */
  action: "prepare" | "step" | "finalize";
  /** Step index and weight (steps only). */
  step?: number;
  weight?: number;
  /** The release after this update. */
  release: Release;
  /** URNs the update is limited to; undefined = a full update (unless targetsFrom says otherwise). */
  targets?: string[];
  /**
   * The update is targeted at the release targets that the update before it in this run exported: the objects an
   * earlier update of the run creates have no URN when the plan is made.
   */
  targetsFrom?: "previous";
  /** A step after which the promotion pauses for a person (`pause` in the steps). */
  pause?: boolean;
  /** Progress label, e.g. "step 2/3 weight 30%", and the update message in Pulumi's history. */
  label: string;
  message: string;
}

/**
 * Weight 0 first, in an update of the traffic objects only (`targets`; no Deployment awaited before traffic is off the
 * canary), then, when that update was targeted, a second one that scales the canary Deployments of `services` to zero
 * (their URNs from the first update's outputs). Without traffic targets one full update does both.
 */
export interface RollbackPlan {
  release: Release;
  targets?: string[];
  services: string[];
}

export interface ReleasePlan {
  stack: string;
  version: string;
  strategy: Strategy;
  services: string[];
  steps: number[];
  /** Indices of the steps after which the promotion pauses for a person; [] = none. */
  pauseAfter: number[];
  /** Index of the first step to run (0, or after the last completed step on --resume). */
  from: number;
  intervalMs: number;
  skipCanary: boolean;
  /** The stage this one follows, when there is one. */
  previous?: string;
  /** The updates in order: the prepare (when planned), the weight steps from `from`, then the finalize. */
  updates: PlannedUpdate[];
  /** Names of the hooks run after the prepare (preTraffic) and at the start of the bake window (postPromotion). */
  hooks: { preTraffic: string[]; postPromotion: string[] };
  /** Milliseconds the old version stays at full size after the last step, with the post-promotion gates; 0 = none. */
  bakeMs: number;
  /** The database snapshot the prepare takes: "snapshot", "none", or "local" (no database: a message only). */
  backup: "snapshot" | "none" | "local";
  /** What any failure before the end applies: weight 0, the version recorded as rolled back, stable untouched. */
  rollback: RollbackPlan;
  /**
   * What a policy refusal applies instead: the refused canary spec must not be registered again (the pack would refuse
   * the rollback too), so the canary is cleared and its Deployments deleted, in one full update.
   */
  refusedRollback: RollbackPlan;
  /**
   * The digest of each service's image at the version (service -> sha256:...): every release of the plan records them,
   * and `$digest` in a hook or gate image names them. Empty when the stage runs tags.
   */
  digests: Record<string, string>;
}

export interface PlanInput {
  stack: string;
  version: string;
  services: string[];
  steps: number[];
  /** Indices of the steps after which to pause for a person (canary only); default none. */
  pauseAfter?: number[];
  from: number;
  intervalMs: number;
  skipCanary: boolean;
  reason?: string;
  previous?: string;
  /** Default canary, no bake, no hooks, no backup. */
  strategy?: Strategy;
  bakeMs?: number;
  hooks?: { preTraffic: string[]; postPromotion: string[] };
  backup?: "snapshot" | "none" | "local";
  /** The image digest of each service at the version (automation/release/digests.ts); default none. */
  digests?: Record<string, string>;
  /** The release the promotion starts from and the deployed stack's outputs (for the targeting rule). */
  rel: StackRelease;
  outputs: Record<string, unknown>;
}

/** What the executor needs besides the plan: the promotion it journals under and the stack's canary policy. */
export interface Execution {
  promotionId: string;
  plan: ReleasePlan;
  /** The stack's config when the promotion started: canary policy, namespace, router. */
  config: StackConfig;
  /** When the promotion (or its resumption) began, ms: the engine updates since then are its own (the stack is locked). */
  startedAt: number;
}

/** One weight step as the executor reports it. */
export interface StepReport {
  step: number;
  weight: number;
  targeted: boolean;
  ok: boolean;
  verdicts: Verdict[];
  durationMs: number;
  /** no-data: the gates failed only for want of data on gates set to `onNoData: pause`, so the promotion pauses. */
  paused?: "no-data";
}

/** The journal entry before an update, without the release it applies (added by applyRelease). */
export type Intent = Omit<Note, "event" | "release">;
