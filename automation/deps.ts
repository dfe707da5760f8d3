import type { Deployment } from "./release/deployments";
import type { AnalysisProvider as AnalysisSpecOfConfig, HookJob } from "../stacks/config";
// The ports every command is written against. The real implementations are wired in automation/cli/entry.ts; tests pass
// fakes (test/automation/fakes.ts), so no command ever reaches the engine, the clock or the cluster directly.
import type {
  AnalysisProvider,
  ChangeOp,
  DriftResult,
  PolicyViolation,
  PreviewResult,
  ResourceChange,
  StackName,
} from "./types";
import type { JournalEntry, Release, StackState } from "./state/store";
import type { CiRun } from "./release/approval";
import type { PreviewContext } from "./report/previewContext";
import type { DriftHistories } from "./report/drift";

export interface OpOptions {
  signal?: AbortSignal;
  /** Update message recorded in Pulumi's own history, e.g. "slipway promote 1.4.0 step 2/3 weight 30". */
  message?: string;
}
export interface UpOptions extends OpOptions {
  /** URNs to limit the update to; undefined = the whole stack. */
  targets?: string[];
  /** With `targets`: also update (or delete) the resources that depend on them (`--target-dependents`). */
  targetDependents?: boolean;
  /**
   * The release this update applies, handed to the program (SLIPWAY_RELEASE) instead of the record it would read;
   * undefined = the stack's release record. Nothing is written to the stack file.
   */
  release?: Release;
  /** Refresh before updating (drift remediation). */
  refresh?: boolean;
}
export interface PreviewOptions extends OpOptions {
  /** A release to preview instead of the stack's record (promote --dry-run); nothing is written. */
  release?: Release;
}
export interface UpdateResult {
  stack: StackName;
  changes: ResourceChange[];
  counts: Partial<Record<ChangeOp, number>>;
  violations: PolicyViolation[];
  durationMs: number;
  /** Non-secret stack outputs after the update, when the engine read them anyway. */
  outputs?: Record<string, unknown>;
}
export interface HistoryEntry {
  version: number;
  kind: string;
  result: string;
  message: string;
  startTime: string;
  endTime?: string;
}

/** Everything the driver asks of Pulumi. One implementation over the Automation API (automation/engine/engine.ts). */
export interface Engine {
  preview(stack: StackName, opts?: PreviewOptions): Promise<PreviewResult>;
  up(stack: StackName, opts?: UpOptions): Promise<UpdateResult>;
  previewRefresh(stack: StackName, opts?: OpOptions): Promise<DriftResult>;
  /** Every config value of the stack file, full keys, as strings (what parseStackConfig takes); no release record. */
  getConfig(stack: StackName): Promise<Record<string, string>>;
  /** Stack outputs; secret outputs are left out. */
  outputs(stack: StackName): Promise<Record<string, unknown>>;
  /** Clears Pulumi's own lock on the stack (`pulumi cancel`): only after the driver proved no update is running. */
  cancel(stack: StackName): Promise<void>;
  /**
   * Settles what a killed update left pending in the state: each Kubernetes object it was creating is deleted from
   * the cluster (engine/orphans.ts says why), then the pending creates are cleared. Resolves to what was done, for
   * the progress line; "" when nothing was pending.
   */
  settlePendingCreates(stack: StackName): Promise<string>;
  history(stack: StackName, limit?: number): Promise<HistoryEntry[]>;
}

export interface Clock {
  now(): number;
  /** Resolves after ms, or rejects when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Analysis spec as stacks/config.ts validates it. */
export type AnalysisSpec = AnalysisSpecOfConfig;

/** Reads the weight the cluster applied per service (the `slipway.dev/canary-weight` annotation); undefined = cannot tell. */
export type WeightReader = (
  ctx: { namespace: string; router: string; services: string[]; kubeconfigPath?: string },
  signal: AbortSignal,
) => Promise<Record<string, number> | undefined>;

/** One Deployment as `status --watch` shows it: the version it runs, its ready and desired pods. */
export interface DeploymentState {
  name: string;
  /** The `app.kubernetes.io/version` label; undefined when absent. */
  version?: string;
  ready: number;
  replicas: number;
}
/** Lists a namespace's Deployments in one call; undefined = the cluster cannot be read here (no kubeconfig). */
export type DeploymentReader = (
  ctx: { namespace: string; kubeconfigPath?: string },
  signal: AbortSignal,
) => Promise<DeploymentState[] | undefined>;

/** Where a release hook runs: the stack's namespace, the release's version for `$version`. */
export interface HookContext {
  stack: StackName;
  namespace: string;
  version: string;
  kubeconfigPath?: string;
  /** The release's image digest per service at `version`, for `<repository>/<service>@$digest` images. */
  digests?: Record<string, string>;
}
export interface HookResult {
  ok: boolean;
  /** The Job's outcome, e.g. "Job migrate-x7k2p: the Job failed (BackoffLimitExceeded)". */
  detail: string;
  /** The Job's name, once created. */
  job?: string;
  durationMs: number;
}
/** Runs one hook's Job to its end (automation/analysis/hook.ts); never throws for a failed Job, only resolves not ok. */
export type HookRunner = (hook: HookJob, ctx: HookContext, signal: AbortSignal) => Promise<HookResult>;

export interface Renderers {
  driftText(results: DriftResult[], histories?: DriftHistories): string;
  driftMarkdown(results: DriftResult[], histories?: DriftHistories): string;
  previewText(results: PreviewResult[]): string;
  previewMarkdown(results: PreviewResult[], ctx?: PreviewContext): string;
  previewSarif(results: PreviewResult[]): string;
}

export interface Deps {
  engine: Engine;
  /** Journal, lock and release record of one stack, kept in the stack's backend. */
  state(stack: StackName): StackState;
  providers(specs: AnalysisSpec[]): AnalysisProvider[];
  weights?: WeightReader;
  /** Reads the stack namespace's Deployments for `status --watch`; undefined = none can be read here. */
  deployments?: DeploymentReader;
  /** stdout is a terminal: `status --watch` clears and redraws instead of printing each change below the last. */
  tty?: boolean;
  /** Runs `slipway:release.hooks` Jobs; undefined = none can run here, so a stack with hooks cannot be promoted. */
  hooks?: HookRunner;
  renderers: Renderers;
  clock: Clock;
  /** Progress line on stderr, as it happens. */
  progress(line: string): void;
  /** The command's result on stdout. */
  stdout(text: string): void;
  writeFile(path: string, text: string): Promise<void>;
  /** Reads a file the user named (a reviewed plan); default: the file system. */
  readFile?(path: string): Promise<string>;
  /**
   * Creates (or, with `id`, takes up) the GitHub deployment of a promotion (automation/release/deployments.ts); wired
   * in GitHub Actions only. Never rejects: a failed post is a warning.
   */
  githubDeployment?(o: { environment: string; version: string; id?: number }): Promise<Deployment>;
  /** Sets a step output (GitHub Actions: $GITHUB_OUTPUT); undefined elsewhere. */
  output?(name: string, value: string): void;
  /** Appends Markdown to the job summary (GitHub Actions: $GITHUB_STEP_SUMMARY, masked); undefined elsewhere. */
  summary?(markdown: string): void;
  /** Aborted on SIGINT. */
  signal: AbortSignal;
  /** Stacks present (stacks/Pulumi.<stack>.yaml). */
  stacks: readonly string[];
  kubeconfigPath?: string;
  /** The caller's PULUMI_BACKEND_URL; undefined = none set (only the local stack's own file backend is reachable). */
  backendUrl?: string;
  newId(): string;
  host: { pid: number; hostname: string; user?: string };
  /** The GitHub Actions run (GITHUB_ACTIONS=true); undefined elsewhere. Approvals are verified against it. */
  ci?: CiRun;
  /** The commit of the checkout the driver runs from, when known (git rev-parse HEAD). */
  commit?: string;
  /**
   * Tells the stack's `slipway:notifications` targets about a journal entry (a step passed, a gate failed, a rollback,
   * a hold, an abort, a completed promotion, drift found); never throws, and a failed notification is a warning.
   * Undefined = no notifications (tests, or a driver wired without them).
   */
  notify?(entry: JournalEntry): Promise<void>;
  /** The committer time of a commit (ISO 8601) where the repository has it (`git show -s --format=%cI`). */
  commitTime?(sha: string): Promise<string | undefined>;
}
