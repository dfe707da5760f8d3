// The driver's release policy as the program's config resolves it: canary steps and gates, hooks, approval and
// change freezes. The program itself never reads these; the driver does, through parseStackConfig.

import type { FreezeWindowSpec } from "../../contract/freeze";

/** How a gate reaches its URL; undefined = from the host (cluster Service names go through the API server). */
export const GATE_VIAS = ["direct", "kubernetes-proxy"] as const;

/** What a gate whose query matched no series does: fail (the default) or pause the promotion for a person. */
export const NO_DATA = ["fail", "pause"] as const;

/** A Job the driver runs in the stack's namespace: a `job` gate's (all optional there) and a release hook's. */
export interface JobSpec {
  /** Prefix of the Job's name. */
  name: string;
  /** Image with a pinned tag or digest; `$version` may be the tag. */
  image: string;
  command?: string[];
  args?: string[];
  env?: Record<string, string>;
  resources?: { cpuRequest: string; memoryRequest: string; cpuLimit: string; memoryLimit: string };
  backoffLimit?: number;
  serviceAccountName?: string;
  /** The services' connection settings as environment variables (a migration's database address). */
  connectionEnv?: boolean;
  /** Milliseconds the Job gets to finish. */
  timeout: number;
}

/** One entry of `slipway:canary.analysis`; which fields apply depends on `provider` (see automation/analysis/README.md). */
export interface AnalysisProvider extends Partial<JobSpec> {
  provider: "kubernetes" | "prometheus" | "http" | "job";
  url?: string;
  via?: (typeof GATE_VIAS)[number];
  query?: string;
  max?: number;
  status?: number;
  body?: string;
  /** prometheus: an empty answer (no series matched) fails the check, or pauses the promotion for a person. */
  onNoData?: (typeof NO_DATA)[number];
}

/** canary: weight steps on a canary track sized by the weight; blueGreen: the new version at full size, then one switch. */
export const STRATEGIES = ["canary", "blueGreen"] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface CanaryPolicy {
  strategy: Strategy;
  /** The weights, without pauses. */
  steps: number[];
  /** Indices of the weights after which the promotion pauses for a person (`pause` in `steps`); absent = none. */
  pauseAfter?: number[];
  /** Milliseconds between a weight step and its analysis. */
  interval: number;
  failureLimit: number;
  /** Milliseconds a stage must have run a version healthily before the next stage may take it. */
  soak: number;
  /** Milliseconds allowed per step. */
  timeout: number;
  analysis: AnalysisProvider[];
  /** blueGreen: gates against the new version at weight 0, through its own Service; default: analysis. */
  prePromotionAnalysis: AnalysisProvider[];
  /** Milliseconds the previous version stays scaled after the last step (or the switch); 0 = finalize at once. */
  bake: number;
  /** Gates asked during the bake window; default: analysis. */
  postPromotionAnalysis: AnalysisProvider[];
}

/** A Job run at a point of the release (`slipway:release.hooks`), through the driver's Job runner. */
export interface HookJob extends JobSpec {
  /** After it ran the old version cannot serve (e.g. a schema migration): a failure holds instead of rolling back. */
  irreversible: boolean;
}

export interface ReleaseHooks {
  /** Before any traffic moves to the new version. */
  preTraffic: HookJob[];
  /** After the new version became stable. */
  postPromotion: HookJob[];
}

/** Who must approve a promotion of the stack (`slipway:approval`). */
export interface ApprovalRule {
  /** Distinct approvers the run's environment review must have; 0 = no approval asked. prod: 1, others: 0. */
  requiredReviewers: number;
  /** Approvers may be neither the run's actor, its triggering actor, nor the author of the commit shipped. prod: on. */
  fourEyes: boolean;
  /** GitHub environment whose reviews count; default: the stack's name (promote.yml runs `environment: <stack>`). */
  environment: string;
  /** What `slipway rollback` needs (`slipway:approval.rollback`), each field defaulting to the promotion's; absent = the same. */
  rollback?: Omit<ApprovalRule, "rollback">;
}

/** A change freeze (contract/freeze.ts, which evaluates it). */
export type FreezeWindow = FreezeWindowSpec;
