/**
 * Where the engine lives and the environment that runs it: the one place these paths are computed.
 *
 * Everything is outside the repository, under ${SLIPWAY_CACHE:-$HOME/.cache/slipway}:
 *   builds/<module>-<version>-<hash>/   binaries of one tools/go wrapper module (hash of its go.mod, go.sum, sources)
 *   engine/<key>/bin/                   the binaries callers put first on PATH (linked from builds/)
 *   engine/<key>/kwok-stages/           kwok's default node and pod Stages, applied by tools/cluster.sh
 *   pulumi-home/                        PULUMI_HOME: the plugin cache holding the Kubernetes provider
 *   state/                              the local file backend (stacks, history, locks)
 *   kwok/                               kwokctl's work directory (cluster processes, etcd data, logs)
 *   cluster/kubeconfig.yaml             kubeconfig of the local cluster (the `local` stack's `slipway:kubeconfig`)
 *   logs/                               one build log per binary
 *   node-compile-cache/                 NODE_COMPILE_CACHE of the engine's Node processes
 *   transpiled/                         the program's and the pack's TypeScript as esbuild transpiled it (policies/loader.js)
 *
 * Run directly (`ts-node tools/env.ts`), it prints `export` lines for a shell; `--json` prints a JSON object.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KUBERNETES_VERSION, PULUMI_VERSION, TOOL_GROUPS, ToolGroup } from "./versions";

/** Passphrase of the local file backend's secrets provider. Local stacks only: it protects nothing of value. */
export const LOCAL_PASSPHRASE = "slipway-local-only";
/** Name of the kwok cluster `npm run cluster:up` starts. */
export const CLUSTER_NAME = "slipway";

export interface EnginePaths {
  repoRoot: string;
  cacheRoot: string;
  /** Directory whose bin/ holds the pulumi CLI: pass it as `PulumiCommand.get({ root })`. */
  engineRoot: string;
  binDir: string;
  /** kwok's default Stage manifests, copied from the kwok module by the bootstrap. */
  kwokStagesDir: string;
  /** Built provider binary (installed into the plugin cache, never on PATH). */
  kubernetesProvider: string;
  pulumiHome: string;
  stateDir: string;
  kwokWorkdir: string;
  kubeconfig: string;
  logsDir: string;
  /** NODE_COMPILE_CACHE of the engine's Node processes: never in the repository. */
  compileCache: string;
  /** SLIPWAY_TRANSPILE_CACHE: the repository's TypeScript transpiled, keyed by content (policies/loader.js). */
  transpileCache: string;
}

const repoRoot = path.resolve(__dirname, "..");

function cacheRoot(env: NodeJS.ProcessEnv): string {
  return path.resolve(env.SLIPWAY_CACHE || path.join(os.homedir(), ".cache", "slipway"));
}

/** Hash of what decides a group's binaries: its table entry and every file of its wrapper module. */
export function groupHash(group: ToolGroup): string {
  const hash = createHash("sha256").update(JSON.stringify(group));
  const dir = path.join(repoRoot, "tools", "go", group.module);
  for (const file of fs.readdirSync(dir).sort()) {
    if (file === "go.mod" || file === "go.sum" || file.endsWith(".go")) {
      hash.update(`\0${file}\0`).update(fs.readFileSync(path.join(dir, file)));
    }
  }
  return hash.digest("hex").slice(0, 12);
}

/** Directory holding one group's built binaries. */
export function groupDir(group: ToolGroup, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheRoot(env), "builds", `${group.module}-${group.version}-${groupHash(group)}`);
}

/** Cache key of the whole engine: the headline versions plus a hash over every group's hash. */
export function engineKey(): string {
  const all = createHash("sha256");
  for (const group of TOOL_GROUPS) all.update(`${group.module}=${groupHash(group)}\n`);
  return `pulumi-v${PULUMI_VERSION}_k8s-v${KUBERNETES_VERSION}_${all.digest("hex").slice(0, 10)}`;
}

export function enginePaths(env: NodeJS.ProcessEnv = process.env): EnginePaths {
  const root = cacheRoot(env);
  const engineRoot = path.join(root, "engine", engineKey());
  const provider = TOOL_GROUPS.find((g) => g.module === "kubernetes-provider");
  if (!provider) throw new Error("tools/versions.ts: the kubernetes-provider group is missing");
  return {
    repoRoot,
    cacheRoot: root,
    engineRoot,
    binDir: path.join(engineRoot, "bin"),
    kwokStagesDir: path.join(engineRoot, "kwok-stages"),
    kubernetesProvider: path.join(groupDir(provider, env), provider.binaries[0].name),
    pulumiHome: path.join(root, "pulumi-home"),
    stateDir: path.join(root, "state"),
    kwokWorkdir: path.join(root, "kwok"),
    kubeconfig: path.join(root, "cluster", "kubeconfig.yaml"),
    logsDir: path.join(root, "logs"),
    compileCache: path.join(root, "node-compile-cache"),
    transpileCache: path.join(root, "transpiled"),
  };
}

/**
 * The variables a process needs to run the local engine. Merge over the caller's environment:
 * `{ ...process.env, ...engineEnv() }`. PATH is the caller's PATH behind the engine's bin directory and the
 * repository's node_modules/.bin.
 * The backend is always the local file backend: a team backend is configured by the caller after the merge.
 * SLIPWAY_ENGINE_ROOT is the directory whose bin/ holds the CLI (`PulumiCommand.get({ root })`).
 */
export function engineEnv(base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const p = enginePaths(base);
  return {
    // The repository's node_modules/.bin holds Node 22 (@pulumi/pulumi needs it); npm scripts put it first anyway,
    // a plain shell that sourced env.sh would otherwise run programs on the machine's older node.
    PATH: [p.binDir, path.join(repoRoot, "node_modules", ".bin"), base.PATH ?? ""]
      .filter((s) => s !== "")
      .join(path.delimiter),
    PULUMI_HOME: p.pulumiHome,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_BACKEND_URL: `file://${p.stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: LOCAL_PASSPHRASE,
    KUBECONFIG: p.kubeconfig,
    KWOK_WORKDIR: p.kwokWorkdir,
    SLIPWAY_ENGINE_ROOT: p.engineRoot,
    // Node 22's on-disk compile cache for every Node process of an update (program, policy pack, driver): the SDK,
    // gRPC and protobuf modules are compiled once per machine instead of on every start (tools/README.md, Engine speed).
    NODE_COMPILE_CACHE: p.compileCache,
    SLIPWAY_TRANSPILE_CACHE: p.transpileCache,
  };
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

if (require.main === module) {
  const env = engineEnv();
  if (process.argv.includes("--json")) {
    process.stdout.write(`${JSON.stringify({ env, paths: enginePaths() }, null, 2)}\n`);
  } else {
    for (const [key, value] of Object.entries(env)) process.stdout.write(`export ${key}=${shellQuote(value)}\n`);
  }
}
