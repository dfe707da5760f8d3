import type { AnalysisProvider as AnalysisSpecOfConfig } from "../stacks/config";
// The ports every command is written against. The real implementations are wired in automation/cli/entry.ts; tests pass
// fakes (test/automation/fakes.ts), so no command ever reaches the engine, the clock or the cluster directly.
import type { AnalysisProvider, ChangeOp, DriftResult, PolicyViolation, PreviewResult, ResourceChange, StackName } from "./types";
import type { StackState } from "./state/journal";
import type { CiRun } from "./release/approval";

export interface OpOptions {
  signal?: AbortSignal;
  /** Update message recorded in Pulumi's own history, e.g. "slipway promote 1.4.0 step 2/3 weight 30". */
  message?: string;
}
export interface UpOptions extends OpOptions {
  /** URNs to limit the update to; undefined = the whole stack. */
  targets?: string[];
  /**
   * Config (full "slipway:" keys) saved to the stack before the update runs, in the same CLI run (`pulumi up
   * --config`): a separate config write would cost one more CLI start on every canary step.
   */
  config?: Record<string, string>;
  /** Refresh before updating (drift remediation). */
  refresh?: boolean;
}
export interface PreviewOptions extends OpOptions {
  /** Release keys (full "slipway:" keys) to preview with instead of the stored ones; nothing is written. */
  config?: Record<string, string>;
}
export interface RefreshOptions extends OpOptions {
  clearPendingCreates?: boolean;
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
  refresh(stack: StackName, opts?: RefreshOptions): Promise<void>;
  /** Every config value of the stack, full keys, as strings (what parseStackConfig takes). */
  getConfig(stack: StackName): Promise<Record<string, string>>;
  /** Stack outputs; secret outputs are left out. */
  outputs(stack: StackName): Promise<Record<string, unknown>>;
  /** Clears Pulumi's own lock on the stack (`pulumi cancel`): only after the driver proved no update is running. */
  cancel(stack: StackName): Promise<void>;
  /** Operations a killed update left pending in the state. */
  pendingOperations(stack: StackName): Promise<number>;
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

export interface Renderers {
  driftText(results: DriftResult[]): string;
  driftMarkdown(results: DriftResult[]): string;
  previewText(results: PreviewResult[]): string;
  previewMarkdown(results: PreviewResult[]): string;
  previewSarif(results: PreviewResult[]): string;
}

export interface Deps {
  engine: Engine;
  /** Journal and lock of one stack, kept in the stack's backend. */
  state(stack: StackName): StackState;
  providers(specs: AnalysisSpec[]): AnalysisProvider[];
  weights?: WeightReader;
  renderers: Renderers;
  clock: Clock;
  /** Progress line on stderr, as it happens. */
  progress(line: string): void;
  /** The command's result on stdout. */
  stdout(text: string): void;
  writeFile(path: string, text: string): Promise<void>;
  /** Aborted on SIGINT. */
  signal: AbortSignal;
  /** Stacks present (stacks/Pulumi.<stack>.yaml). */
  stacks: readonly string[];
  kubeconfigPath?: string;
  newId(): string;
  host: { pid: number; hostname: string; user?: string };
  /** The GitHub Actions run (GITHUB_ACTIONS=true); undefined elsewhere. Approvals are verified against it. */
  ci?: CiRun;
  /** The commit of the checkout the driver runs from, when known (git rev-parse HEAD). */
  commit?: string;
}
