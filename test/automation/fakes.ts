// A fake engine that keeps stack config and derives stack outputs from it as the program would, fake analysis
// providers, a clock that never waits, and Deps over a temporary file backend.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SERVICE_NAMES } from "../../components/naming";
import { parseStackConfig } from "../../stacks/config";
import type { Clock, Deps, Engine, UpdateResult, UpOptions } from "../../automation/deps";
import { FileStackState } from "../../automation/state/journal";
import type { AnalysisProvider, DriftResult, PolicyViolation, Verdict } from "../../automation/types";

export interface Call { op: string; stack: string; values?: Record<string, string>; targets?: string[]; config?: Record<string, string>; signal?: boolean }

export const TARGETS = SERVICE_NAMES.map((s) => `urn:pulumi:local::slipway::slipway:apps:TrafficRoute::${s}`);

export function baseConfig(stack: string, extra: Record<string, string> = {}): Record<string, string> {
  const env = stack.split("-")[0];
  return {
    "slipway:stableVersion": "1.0.0",
    "slipway:canary": JSON.stringify({ steps: [10, 30, 100], interval: "0s", timeout: "200ms", analysis: [{ provider: "kubernetes" }] }),
    ...(env === "local" ? {} : { "slipway:imageRepository": "registry.local/slipway" }),
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
  private ups = 0;

  constructor(stacks: Record<string, Record<string, string>>) {
    for (const [s, c] of Object.entries(stacks)) {
      this.config.set(s, { ...c });
      this.applied.set(s, this.derive(s));
    }
  }

  private derive(stack: string): Record<string, unknown> {
    const r = parseStackConfig(stack, this.config.get(stack)!).release;
    const services = Object.fromEntries(SERVICE_NAMES.map((s) => {
      const on = r.canaryServices.includes(s);
      return [s, { stableVersion: r.serviceVersions[s], canaryVersion: on ? r.canaryVersion ?? "" : "", canaryWeight: on ? r.canaryWeight : 0 }];
    }));
    return this.releaseTargets ? { services, releaseTargets: TARGETS } : { services };
  }

  async preview(stack: string, opts: { config?: Record<string, string> } = {}) {
    this.calls.push({ op: "preview", stack, config: opts.config });
    return { stack, changes: [], counts: {}, violations: this.violations, durationMs: 1 };
  }
  /** An update with `config` writes it first, as `pulumi up --config` does: traced as a setConfig, then the up. */
  async up(stack: string, opts: UpOptions = {}): Promise<UpdateResult> {
    if (opts.config) await this.setConfig(stack, opts.config);
    this.calls.push({ op: "up", stack, targets: opts.targets, signal: opts.signal !== undefined });
    await this.beforeUp?.(stack, opts, this.ups++);
    this.applied.set(stack, this.derive(stack));
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
  async setConfig(stack: string, values: Record<string, string>) {
    this.calls.push({ op: "setConfig", stack, values });
    this.config.set(stack, { ...this.config.get(stack)!, ...values });
  }
  async outputs(stack: string) {
    this.calls.push({ op: "outputs", stack });
    return this.applied.get(stack)!;
  }
  async cancel(stack: string) {
    this.calls.push({ op: "cancel", stack });
    throw new Error("no update is running");
  }
  async pendingOperations(stack: string) {
    this.calls.push({ op: "pendingOperations", stack });
    return 0;
  }
  async history() {
    return [];
  }
  /** Calls as short strings: "setConfig local canaryWeight=10", "up local targeted". */
  trace(): string[] {
    return this.calls.map((c) => {
      if (c.op === "setConfig") return `setConfig ${c.stack} ${Object.entries(c.values!).map(([k, v]) => `${k.slice(8)}=${v}`).join(" ")}`;
      if (c.op === "up") return `up ${c.stack} ${c.targets ? "targeted" : "full"}`;
      return `${c.op} ${c.stack}`;
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

export interface Harness { deps: Deps; engine: FakeEngine; dir: string; progress: string[]; ctl: AbortController; files: Map<string, string> }

export function harness(engine: FakeEngine, over: Partial<Deps> = {}): Harness {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-test-"));
  const progress: string[] = [];
  const ctl = new AbortController();
  const files = new Map<string, string>();
  let n = 0;
  const deps: Deps = {
    engine, state: (stack) => new FileStackState(path.join(dir, ".slipway", "slipway", stack), os.hostname()),
    providers: () => [provider()], renderers: {
      driftText: (r) => `drift ${r.map((x) => `${x.stack}:${x.drifted.length}`).join(" ")}\n`,
      driftMarkdown: (r) => `# drift ${r.length}`, previewText: () => "preview\n", previewMarkdown: () => "# preview", previewSarif: () => "{}",
    },
    clock: instantClock(), progress: (l) => progress.push(l), stdout: () => undefined,
    writeFile: async (p, t) => void files.set(p, t), signal: ctl.signal, stacks: ["dev", "staging", "prod", "local"],
    newId: () => `p${++n}`, host: { pid: process.pid, hostname: os.hostname() }, ...over,
  };
  return { deps, engine, dir, progress, ctl, files };
}
