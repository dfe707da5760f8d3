// The e2e tier's world: the real engine (tools/env.ts), the local kwok cluster (tools/cluster.sh) and a throwaway
// copy of the project with its own file backend, so a run never writes into the repository's stack files or the
// developer's `local` state, and always starts from nothing.
import { ChildProcess, execFile, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { crdSpec, ROUTER_CRDS } from "../../components/routerCrds";
import { engineEnv } from "../../tools/env";

export const REPO = path.resolve(__dirname, "..", "..");
export const STACK = "local";
/** A namespace of its own: the developer's `local` stack (namespace slipway-local) shares the cluster. */
export const NAMESPACE = process.env.SLIPWAY_E2E_NAMESPACE ?? "slipway-e2e";
export const SERVICES = ["api-gateway", "calculation-service", "data-service", "cache-service", "audit-service"];
export const STABLE = "1.0.0";

const COPIED = ["Pulumi.yaml", "package.json", "tsconfig.json", "stacks", "components", "policies"];

export interface World {
  workDir: string;
  env: NodeJS.ProcessEnv;
}

let world: World | undefined;
export function theWorld(): World {
  if (world === undefined) throw new Error("the e2e root hook has not prepared the work dir");
  return world;
}

function copyTree(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true, filter: (src) => path.basename(src) !== "node_modules" });
}

/** Stack file of the copy: the committed local stack in its own namespace, short waits, the router CRD left alone. */
function writeStackFile(workDir: string): void {
  const file = path.join(workDir, "stacks", `Pulumi.${STACK}.yaml`);
  const doc = parseYaml(fs.readFileSync(file, "utf8"));
  doc.config["slipway:namespace"] = NAMESPACE;
  // The CRD is cluster-wide and belongs to whichever stack installed it first; the root hook makes sure it exists.
  doc.config["slipway:installRouterCrds"] = "false";
  doc.config["slipway:deploymentTimeoutSeconds"] = "30";
  doc.config["slipway:stableVersion"] = STABLE;
  doc.config["slipway:canaryWeight"] = "0";
  doc.config["slipway:canary"] = { steps: [10, 30, 100], interval: "1s", failureLimit: 1, timeout: "30s", analysis: [{ provider: "kubernetes" }] };
  fs.writeFileSync(file, stringifyYaml(doc));
}

export function prepareWorkDir(): World {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-e2e-"));
  for (const entry of COPIED) copyTree(path.join(REPO, entry), path.join(workDir, entry));
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(workDir, "node_modules"), "dir");
  writeStackFile(workDir);
  const stateDir = path.join(workDir, "state");
  fs.mkdirSync(stateDir);
  const env = { ...process.env, ...engineEnv(process.env), SLIPWAY_WORKDIR: workDir, PULUMI_BACKEND_URL: `file://${stateDir}` };
  world = { workDir, env };
  return world;
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

/** A running `slipway` child: its progress lines as they come, and the end. */
export class Slipway {
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  private readonly started = Date.now();
  private readonly watchers: Array<{ re: RegExp; resolve: (line: string) => void }> = [];
  readonly done: Promise<Run>;

  constructor(args: string[], onLine?: (line: string) => void, extraEnv: NodeJS.ProcessEnv = {}) {
    const w = theWorld();
    const env = { ...w.env, ...extraEnv };
    this.child = spawn(process.execPath, [path.join(REPO, "bin", "slipway.js"), ...args], { cwd: w.workDir, env, stdio: ["ignore", "pipe", "pipe"] });
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
    this.done = new Promise((resolve) => {
      this.child.on("close", (code, signal) => resolve({ code, signal, stdout: this.stdout, stderr: this.stderr, ms: Date.now() - this.started }));
    });
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

export function kubectl(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("kubectl", args, { env: theWorld().env, timeout: 60_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`kubectl ${args.join(" ")}: ${stderr || err.message}`)) : resolve(stdout));
  });
}

/** `kubectl -n <e2e namespace> get KIND NAME -o jsonpath=...`. */
export async function jsonpath(kind: string, name: string, expr: string): Promise<string> {
  return (await kubectl("-n", NAMESPACE, "get", kind, name, "-o", `jsonpath=${expr}`)).trim();
}

/** The weight each traffic object carries in the cluster (the slipway.dev/canary-weight annotation). */
export async function clusterWeights(): Promise<Record<string, number>> {
  const out = await kubectl("-n", NAMESPACE, "get", "trafficsplits.split.smi-spec.io", "-o", "json");
  const items = JSON.parse(out).items as Array<{ metadata: { name: string; annotations?: Record<string, string> } }>;
  return Object.fromEntries(items.map((i) => [i.metadata.name, Number(i.metadata.annotations?.["slipway.dev/canary-weight"])]));
}

/** Canary backend weight of the TrafficSplit itself, for the services given. */
export async function splitWeights(): Promise<Record<string, number>> {
  const out = await kubectl("-n", NAMESPACE, "get", "trafficsplits.split.smi-spec.io", "-o", "json");
  const items = JSON.parse(out).items as Array<{ metadata: { name: string }; spec: { backends: Array<{ service: string; weight: number }> } }>;
  return Object.fromEntries(items.map((i) => [i.metadata.name, i.spec.backends.find((b) => b.service.endsWith("-canary"))?.weight ?? NaN]));
}

/** Version label and ready replicas of a Deployment. */
export async function deployment(name: string, namespace = NAMESPACE): Promise<{ version: string; image: string; replicas: number; ready: number; generation: number; resourceVersion: string }> {
  const d = JSON.parse(await kubectl("-n", namespace, "get", "deployment", name, "-o", "json"));
  return {
    version: d.spec.template.metadata.labels["app.kubernetes.io/version"],
    image: d.spec.template.spec.containers[0].image,
    replicas: d.spec.replicas ?? 0,
    ready: d.status.readyReplicas ?? 0,
    generation: d.metadata.generation,
    resourceVersion: d.metadata.resourceVersion,
  };
}

export interface Status { stableVersion: string; canaryVersion?: string; canaryWeight: number; lastPromotion?: { version: string; status?: string } }
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

export function clusterUp(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [path.join(REPO, "tools", "cluster.sh"), "up"], { env: { ...process.env, ...engineEnv(process.env) }, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout.on("data", (b) => (log += b));
    child.stderr.on("data", (b) => (log += b));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`tools/cluster.sh up exited ${code}:\n${log}`))));
  });
}

/** The TrafficSplit CRD, created only when no stack installed it yet (it is cluster-wide). */
export async function ensureRouterCrd(): Promise<void> {
  const c = ROUTER_CRDS.smi;
  try {
    await kubectl("get", "crd", `${c.plural}.${c.group}`);
    return;
  } catch {
    // absent: create it below
  }
  const manifest = { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: `${c.plural}.${c.group}` }, spec: crdSpec(c) };
  const file = path.join(theWorld().workDir, "crd.json");
  fs.writeFileSync(file, JSON.stringify(manifest));
  await kubectl("create", "-f", file);
  await kubectl("wait", "--for=condition=Established", "--timeout=60s", `crd/${c.plural}.${c.group}`);
}

/** A fresh start: the namespace of a previous run is deleted (its state dir went with its work dir). */
export async function deleteNamespace(): Promise<void> {
  await kubectl("delete", "namespace", NAMESPACE, "--ignore-not-found", "--wait=true", "--timeout=180s");
}

export async function poll<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}
