// Shapes shared by the driver core, the analysis providers (automation/analysis/) and the renderers
// (automation/report/). Plain data only: nothing here touches the engine, the network or the file system.

export type StackName = string; // dev | staging | prod | local (validated against the stacks present)

export type ChangeOp = "create" | "update" | "replace" | "delete" | "same" | "read" | "refresh" | "import" | "other";
export interface ResourceChange {
  urn: string;
  type: string;
  name: string;
  op: ChangeOp;
  /** top-level property paths that differ, e.g. ["spec.replicas"], as the engine's detailedDiff/diffs report them */
  properties: string[];
  /** old and new values for each changed property path (secrets replaced by "[secret]") */
  values?: Record<string, { old?: unknown; new?: unknown }>;
}
export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export interface PolicyViolation {
  policyPack: string;
  policyName: string;
  level: EnforcementLevel;
  message: string;
  urn?: string;
  resourceType?: string;
  resourceName?: string;
  /** true when the message says the value is not verifiable at preview (starts with "not verifiable at preview") */
  unverifiable: boolean;
}
export interface PreviewResult {
  stack: StackName;
  changes: ResourceChange[]; // every op except "same"
  counts: Partial<Record<ChangeOp, number>>;
  violations: PolicyViolation[];
  durationMs: number;
}
export interface DriftResult {
  stack: StackName;
  drifted: ResourceChange[];
  durationMs: number;
}

/** analysis */
export interface GateContext {
  stack: StackName;
  namespace: string;
  services: string[];
  canaryVersion: string;
  stableVersion: string;
  weight: number;
  step: number;
  kubeconfigPath?: string;
  /** The release's image digest per service at canaryVersion, for `<repository>/<service>@$digest` images. */
  digests?: Record<string, string>;
}
export interface Verdict {
  provider: string;
  ok: boolean;
  detail: string;
  value?: number;
  durationMs: number;
  /** The check failed only because its query matched no series (prometheus): `onNoData: pause` pauses on it. */
  noData?: boolean;
  /** The gate's Job was refused by a mandatory policy before it was created (the detail is the policy's message). */
  refusedByPolicy?: boolean;
}
export interface AnalysisProvider {
  readonly name: string;
  check(ctx: GateContext, signal: AbortSignal): Promise<Verdict>;
}
