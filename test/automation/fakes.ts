// A fake engine that keeps the stack files' config and derives stack outputs as the program would (the release an
// update is handed, else the stack's release record, over the file), fake analysis providers, a clock that never
// waits, and Deps over a temporary file backend.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SERVICE_NAMES } from "../../components/naming";
import { parseStackConfig, withRelease } from "../../stacks/config";
import type { Clock, Deps, Engine, PreviewOptions, UpdateResult, UpOptions } from "../../automation/deps";
import { FileStackState, readReleaseSync } from "../../automation/state/file";
import type { Release } from "../../automation/state/store";
import { EngineError } from "../../automation/errors";
import type { AnalysisProvider, DriftResult, PolicyViolation, Verdict } from "../../automation/types";

export interface Call {
  op: string;
  stack: string;
  targets?: string[];
  targetDependents?: boolean;
  release?: Release;
  signal?: boolean;
}

export const TARGETS = SERVICE_NAMES.map((s) => `urn:pulumi:local::slipway::slipway:apps:TrafficRoute::${s}`);
export const trafficUrn = (s: string) => `urn:pulumi:local::slipway::slipway:apps:TrafficRoute::${s}`;
export const canaryUrn = (s: string) => `urn:pulumi:local::slipway::kubernetes:apps/v1:Deployment::${s}-canary`;

/** A digest as a registry reports it: 64 hex digits derived from a seed. */
export const digestOf = (seed: string) =>
  `sha256:${Buffer.from(seed.padEnd(32, ".")).toString("hex").slice(0, 64).padEnd(64, "0")}`;

/** The versions the tests release, each with one build. */
export const BUILT = ["1.0.0", "1.0.1", "1.4.0", "1.4.1", "1.5.0"];

/** The build's digests of every version built, in every AWS stack's file: staging and prod run images by digest. */
export const BUILD_DIGESTS = {
  "slipway:imageDigests": JSON.stringify(
    Object.fromEntries(SERVICE_NAMES.map((s) => [s, Object.fromEntries(BUILT.map((v) => [v, digestOf(`${s} ${v}`)]))])),
  ),
};

export function baseConfig(stack: string, extra: Record<string, string> = {}): Record<string, string> {
  const env = stack.split("-")[0];
  return {
    "slipway:stableVersion": "1.0.0",
    "slipway:canary": JSON.stringify({
      steps: [10, 30, 100],
      interval: "0s",
      timeout: "200ms",
      analysis: [{ provider: "kubernetes" }],
    }),
    ...(env === "local" ? {} : { "slipway:imageRepository": "registry.local/slipway", ...BUILD_DIGESTS }),
    ...extra,
  };
}

export class FakeEngine implements Engine {
  calls: Call[] = [];
  config = new Map<string, Record<string, string>>();
  applied = new Map<string, Record<string, unknown>>();
  /** Called before every up; throw to fail it. */
  beforeUp?: (stack: string, opts: UpOptions, n: number) => void | Promise<void>;
  violations: PolicyViolation[] = [];
  drift: DriftResult["drifted"] = [];
  releaseTargets = true;
  /** The stack's release record, as the program reads it from the backend; wired by `harness`. */
  record: (stack: string) => Release | undefined = () => undefined;
  private ups = 0;

  constructor(stacks: Record<string, Record<string, string>>) {
    for (const [s, c] of Object.entries(stacks)) {
      this.config.set(s, { ...c });
      this.applied.set(s, this.derive(s, undefined));
    }
  }

  private derive(stack: string, release: Release | undefined): Record<string, unknown> {
    const c = parseStackConfig(stack, withRelease(this.config.get(stack)!, release ?? this.record(stack)));
    const r = c.release;
    // As stacks/index.ts: a release in progress on a stack with a database and backup on has its snapshot.
    const backup =
      c.backup && c.environment !== "local" && r.canaryVersion !== undefined
        ? {
            backup: {
              snapshotId: `slipway-${stack}-release-${r.canaryVersion.replace(/\W/g, "-")}`,
              version: r.canaryVersion,
            },
          }
        : {};
    // As components/platform.ts: the stack's catalogue; a service it does not canary never runs a canary track.
    const names = Object.keys(c.services);
    const services = Object.fromEntries(
      names.map((s) => {
        const on = r.canaryServices.includes(s) && c.catalogue[s].canary;
        return [
          s,
          {
            stableVersion: r.serviceVersions[s],
            canaryVersion: on ? (r.canaryVersion ?? "") : "",
            canaryWeight: on ? r.canaryWeight : 0,
          },
        ];
      }),
    );
    if (!this.releaseTargets) return { services, ...backup };
    // As components/platform.ts: every service has a traffic object; a canary Deployment exists while a canary runs or
    // a rolled-back one waits at zero replicas.
    const canaries = r.canaryServices.filter(() => r.canaryVersion !== undefined || r.rolledBackVersion !== undefined);
    return {
      services,
      ...backup,
      releaseTargets: TARGETS,
      trafficTargets: Object.fromEntries(names.map((s) => [s, trafficUrn(s)])),
      canaryTargets: Object.fromEntries(canaries.map((s) => [s, canaryUrn(s)])),
    };
  }

  async preview(stack: string, opts: PreviewOptions = {}) {
    this.calls.push({ op: "preview", stack, release: opts.release });
    return { stack, changes: [], counts: {}, violations: this.violations, durationMs: 1 };
  }
  async up(stack: string, opts: UpOptions = {}): Promise<UpdateResult> {
    this.calls.push({
      op: "up",
      stack,
      targets: opts.targets,
      targetDependents: opts.targetDependents,
      release: opts.release,
      signal: opts.signal !== undefined,
    });
    await this.beforeUp?.(stack, opts, this.ups++);
    this.applied.set(stack, this.derive(stack, opts.release));
    return { stack, changes: [], counts: {}, violations: [], durationMs: 1 };
  }
  async previewRefresh(stack: string) {
    this.calls.push({ op: "previewRefresh", stack });
    return { stack, drifted: this.drift, durationMs: 1 };
  }
  async refresh(stack: string) {
    this.calls.push({ op: "refresh", stack });
  }
  async getConfig(stack: string) {
    this.calls.push({ op: "getConfig", stack });
    return { ...this.config.get(stack)! };
  }
  async outputs(stack: string) {
    this.calls.push({ op: "outputs", stack });
    if (!this.applied.has(stack))
      throw new EngineError(`stack ${stack} does not exist in the backend`, { stackMissing: true });
    return this.applied.get(stack)!;
  }
  async cancel(stack: string) {
    this.calls.push({ op: "cancel", stack });
    throw new Error("no update is running");
  }
  async settlePendingCreates(stack: string) {
    this.calls.push({ op: "settlePendingCreates", stack });
    return "";
  }
  async history() {
    return [];
  }
  /** Calls as short strings: "up local targeted 1.0.0 canary 1.4.0@30" (the release handed over), "outputs local". */
  trace(): string[] {
    return this.calls.map((c) => {
      const r = c.release;
      const release = r ? ` ${r.stableVersion} canary ${r.canaryVersion || "none"}@${r.canaryWeight}` : "";
      if (c.op === "up")
        return `up ${c.stack} ${c.targets ? "targeted" : "full"}${release}${r?.rolledBackVersion ? ` rolled-back ${r.rolledBackVersion}` : ""}`;
      return `${c.op} ${c.stack}${release}`;
    });
  }
}

export type Script = (weight: number, step: number) => Verdict | Promise<Verdict>;
export function provider(
  script: Script = () => ({ provider: "kubernetes", ok: true, detail: "ready", durationMs: 0 }),
  name = "kubernetes",
): AnalysisProvider & { seen: number[] } {
  const seen: number[] = [];
  return { name, seen, check: async (ctx) => (seen.push(ctx.weight), script(ctx.weight, ctx.step)) };
}

export { fakeHooks } from "./fakeHooks";
export type { HookCall, HookScript } from "./fakeHooks";

export const instantClock = (): Clock & { slept: number[] } => {
  let t = Date.parse("2026-11-22T08:00:00Z");
  const slept: number[] = [];
  return {
    slept,
    now: () => (t += 1),
    sleep: async (ms, signal) => {
      slept.push(ms);
      if (signal?.aborted) throw new Error("interrupted");
      t += ms;
    },
  };
};

export interface Harness {
  deps: Deps;
  engine: FakeEngine;
  dir: string;
  progress: string[];
  ctl: AbortController;
  files: Map<string, string>;
}

/** The release a harness stack's record holds now (undefined: no record yet). */
export function recorded(h: Harness, stack: string): Release | undefined {
  return h.engine.record(stack);
}

/** Deps over a file backend in `dir` (default: a new one); a second harness on the same dir is another runner. */
export function harness(
  engine: FakeEngine,
  over: Partial<Deps> = {},
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-test-")),
): Harness {
  const progress: string[] = [];
  const ctl = new AbortController();
  const files = new Map<string, string>();
  let n = 0;
  const stackDir = (stack: string) => path.join(dir, ".slipway", "slipway", stack);
  engine.record = (stack) => readReleaseSync(stackDir(stack))?.release;
  const deps: Deps = {
    engine,
    state: (stack) => new FileStackState(stackDir(stack), os.hostname()),
    providers: () => [provider()],
    renderers: {
      driftText: (r) => `drift ${r.map((x) => `${x.stack}:${x.drifted.length}`).join(" ")}\n`,
      driftMarkdown: (r) => `# drift ${r.length}`,
      previewText: () => "preview\n",
      previewMarkdown: () => "# preview",
      previewSarif: () => "{}",
    },
    clock: instantClock(),
    progress: (l) => progress.push(l),
    stdout: () => undefined,
    writeFile: async (p, t) => void files.set(p, t),
    signal: ctl.signal,
    stacks: ["dev", "staging", "prod", "local"],
    backendUrl: `file://${dir}`,
    newId: () => `p${++n}`,
    host: { pid: process.pid, hostname: os.hostname() },
    ...over,
  };
  return { deps, engine, dir, progress, ctl, files };
}

/** The staging journal of a completed promotion of `version`: what a prod promotion checks for first. */
export async function stagingShipped(h: { deps: Deps }, version = "1.4.0"): Promise<void> {
  await h.deps.state("staging").append({
    at: "2026-11-21T08:00:00Z",
    promotionId: "s1",
    stack: "staging",
    event: "start",
    action: "promote",
    version,
  });
  await h.deps.state("staging").append({
    at: "2026-11-21T09:00:00Z",
    promotionId: "s1",
    stack: "staging",
    event: "end",
    action: "promote",
    status: "completed",
  });
}
