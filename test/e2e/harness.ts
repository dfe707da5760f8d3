// The e2e tier's world: the real engine (tools/env.ts), the local kwok cluster (tools/cluster.sh) and a throwaway
// copy of the project with its own file backend, so a run never writes into the repository's stack files or the
// developer's `local` state, and always starts from nothing.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { engineEnv } from "../../tools/env";
import { NAMESPACE } from "./cluster";

export const REPO = path.resolve(__dirname, "..", "..");
export * from "./cluster";
export const STACK = "local";
export const SERVICES = ["api-gateway", "calculation-service", "data-service", "cache-service", "audit-service"];
export const STABLE = "1.0.0";

/** What a runner's checkout holds that a command needs: the program, the pack, the driver (the program reads its release record through automation/state/). */
export const COPIED = [
  "Pulumi.yaml",
  "package.json",
  "tsconfig.json",
  "bin",
  "automation",
  "contract",
  "stacks",
  "components",
  "policies",
  "tools",
];

export interface World {
  workDir: string;
  env: NodeJS.ProcessEnv;
}

let world: World | undefined;
export function theWorld(): World {
  if (world === undefined) throw new Error("the e2e root hook has not prepared the work dir");
  return world;
}

export function copyTree(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true, filter: (src) => path.basename(src) !== "node_modules" });
}

/**
 * Stack file of the copy: the committed local stack in its own namespace, short waits, the router CRD left alone.
 * `stack` other than local is a stage played on the local cluster (local-dev, local-staging), with the local pack config.
 */
export function writeStackFile(workDir: string, stack = STACK, namespace = NAMESPACE, steps = [10, 30, 100]): void {
  const file = path.join(workDir, "stacks", `Pulumi.${stack}.yaml`);
  const doc = parseYaml(fs.readFileSync(path.join(workDir, "stacks", `Pulumi.${STACK}.yaml`), "utf8"));
  if (stack !== STACK)
    fs.copyFileSync(
      path.join(workDir, "policies", "config", `${STACK}.json`),
      path.join(workDir, "policies", "config", `${stack}.json`),
    );
  doc.config["slipway:namespace"] = namespace;
  // The CRD is cluster-wide and belongs to whichever stack installed it first; the root hook makes sure it exists.
  doc.config["slipway:installRouterCrds"] = "false";
  doc.config["slipway:deploymentTimeoutSeconds"] = "30";
  doc.config["slipway:stableVersion"] = STABLE;
  doc.config["slipway:canaryWeight"] = "0";
  doc.config["slipway:canary"] = {
    steps,
    interval: "1s",
    failureLimit: 1,
    timeout: "30s",
    analysis: [{ provider: "kubernetes" }],
  };
  fs.writeFileSync(file, stringifyYaml(doc));
}

export function prepareWorkDir(): World {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-e2e-"));
  for (const entry of COPIED) copyTree(path.join(REPO, entry), path.join(workDir, entry));
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(workDir, "node_modules"), "dir");
  writeStackFile(workDir);
  const stateDir = path.join(workDir, "state");
  fs.mkdirSync(stateDir);
  const env = {
    ...process.env,
    ...engineEnv(process.env),
    SLIPWAY_WORKDIR: workDir,
    PULUMI_BACKEND_URL: `file://${stateDir}`,
  };
  world = { workDir, env };
  return world;
}

/** Stages a runner copy carries besides `local`: stack name -> namespace. */
export type Stages = Record<string, string>;

/**
 * One CI job's checkout: a new copy of the repository (stack files as committed, for `local` and the given stages),
 * sharing nothing with the copies before it but the backend (`backendUrl`) and the cluster. Its slipway is its own
 * bin/slipway.js, run from the copy.
 */
export function runnerCopy(backendUrl: string, stages: Stages, extraEnv: Record<string, string> = {}): World {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-runner-"));
  for (const entry of COPIED) copyTree(path.join(REPO, entry), path.join(workDir, entry));
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(workDir, "node_modules"), "dir");
  writeStackFile(workDir);
  for (const [stack, namespace] of Object.entries(stages)) writeStackFile(workDir, stack, namespace, [100]);
  const env = {
    ...process.env,
    ...engineEnv(process.env),
    ...extraEnv,
    SLIPWAY_WORKDIR: workDir,
    PULUMI_BACKEND_URL: backendUrl,
  };
  return { workDir, env };
}

/** The stack files of a copy, to show no command wrote them. */
export function stackFiles(w: World): Record<string, string> {
  const dir = path.join(w.workDir, "stacks");
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]),
  );
}

export function removeCopy(w: World): void {
  if (!process.env.SLIPWAY_E2E_KEEP) fs.rmSync(w.workDir, { recursive: true, force: true });
}

export function removeWorkDir(): void {
  if (world && !process.env.SLIPWAY_E2E_KEEP) fs.rmSync(world.workDir, { recursive: true, force: true });
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Drivers still running: a test that failed half-way may leave one (even a stopped one) behind. */
const running = new Set<Slipway>();

/** Kills every driver still running (a stopped one too), with its engine when it has a process group of its own. */
export async function killLeftovers(): Promise<void> {
  for (const d of [...running]) {
    try {
      process.kill(d.detached ? -(d.child.pid as number) : (d.child.pid as number), "SIGKILL");
    } catch {
      // already gone
    }
    await d.done;
  }
}

/** A running `slipway` child: its progress lines as they come, and the end. */
export class Slipway {
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  private readonly started = Date.now();
  private readonly watchers: Array<{ re: RegExp; resolve: (line: string) => void }> = [];
  readonly done: Promise<Run>;
  readonly detached: boolean;

  /**
   * `world` default: the shared e2e world, run with the repository's slipway; a runner copy runs its own. `detached`
   * gives the driver a process group of its own, so `killAll` can take its engine children with it, as a runner dies.
   * `env` is added to the world's environment (e.g. a GitHub Actions run's variables).
   */
  constructor(
    args: string[],
    onLine?: (line: string) => void,
    world?: World,
    opts: { detached?: boolean; env?: NodeJS.ProcessEnv } = {},
  ) {
    const w = world ?? theWorld();
    const root = world ? w.workDir : REPO;
    const env = { ...w.env, ...opts.env };
    this.detached = opts.detached === true;
    this.child = spawn(process.execPath, [path.join(root, "bin", "slipway.js"), ...args], {
      cwd: w.workDir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: opts.detached,
    });
    let partial = "";
    this.child.stdout!.on("data", (b: Buffer) => (this.stdout += b.toString()));
    this.child.stderr!.on("data", (b: Buffer) => {
      const text = b.toString();
      this.stderr += text;
      if (process.env.SLIPWAY_E2E_VERBOSE) process.stderr.write(`      | ${text.replace(/\n(?!$)/g, "\n      | ")}`);
      partial += text;
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        onLine?.(line);
        for (const wt of this.watchers.splice(0)) {
          if (wt.re.test(line)) wt.resolve(line);
          else this.watchers.push(wt);
        }
      }
    });
    running.add(this);
    this.done = new Promise((resolve) => {
      this.child.on("close", (code, signal) => {
        running.delete(this);
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr, ms: Date.now() - this.started });
      });
    });
  }

  /** SIGKILL to the driver's whole process group (it must have been started `detached`): the engine dies with it. */
  killAll(): void {
    process.kill(-(this.child.pid as number), "SIGKILL");
  }

  /** Resolves with the first progress line matching `re` (from now on); rejects if the driver exits first. */
  waitFor(re: RegExp): Promise<string> {
    return Promise.race([
      new Promise<string>((resolve) => this.watchers.push({ re, resolve })),
      this.done.then((r) => Promise.reject(new Error(`slipway exited ${r.code} before printing ${re}:\n${r.stderr}`))),
    ]);
  }
}

export function slipway(...args: string[]): Promise<Run> {
  return new Slipway(args).done;
}

/** `slipway ...args` in `w` (a runner copy). */
export function slipwayIn(w: World, ...args: string[]): Promise<Run> {
  return new Slipway(args, undefined, w).done;
}

export interface Status {
  stableVersion: string;
  canaryVersion?: string;
  canaryWeight: number;
  lastPromotion?: { version: string; status?: string };
}
export async function status(): Promise<Status> {
  const r = await slipway("status", "--stack", STACK, "--json");
  if (r.code !== 0) throw new Error(`slipway status exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout)[0];
}

/** The next patch version after the current stable one. */
export function nextPatch(version: string): string {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) throw new Error(`not a version: ${version}`);
  return `${m[1]}.${m[2]}.${Number(m[3]) + 1}`;
}
