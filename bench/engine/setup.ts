// The bench's own world: its cache root (builds, engine and the plugin cache linked from the parent, so nothing
// rebuilds), hence its own kwok cluster, kubeconfig and file backend, and a temporary copy of the project as the work
// dir. SLIPWAY_BENCH_NAMESPACE (default slipway-bench) gives the stack a namespace and a file backend of its own.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Engine } from "../../automation/deps";
import type { StackSession } from "../../automation/state/lock";
import { readRelease } from "../../automation/state/release";
import type { StackState } from "../../automation/state/store";
import { SERVICE_NAMES } from "../../contract/release";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { engineEnv } from "../../tools/env";

export const REPO = path.resolve(__dirname, "..", "..");
export const STACK = "local";
export const NAMESPACE = process.env.SLIPWAY_BENCH_NAMESPACE || "slipway-bench";
export const CANARY = "1.0.1-bench";
export const RUNS = 5;
export const services = [...SERVICE_NAMES];

export function isolatedEnv(): Record<string, string> {
  const parent = path.resolve(process.env.SLIPWAY_CACHE || path.join(os.homedir(), ".cache", "slipway"));
  const root = path.join(parent, "bench");
  const state = path.join(root, "state", NAMESPACE);
  fs.mkdirSync(state, { recursive: true });
  for (const shared of ["builds", "engine", "pulumi-home"]) {
    const link = path.join(root, shared);
    if (!fs.existsSync(link)) fs.symlinkSync(path.join(parent, shared), link);
  }
  const env: Record<string, string> = { ...(process.env as Record<string, string>), SLIPWAY_CACHE: root };
  delete env.PULUMI_BACKEND_URL;
  delete env.KUBECONFIG;
  return { ...env, ...engineEnv(env), PULUMI_BACKEND_URL: `file://${state}` };
}

export function workCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-bench-"));
  for (const entry of [
    "Pulumi.yaml",
    "package.json",
    "tsconfig.json",
    "stacks",
    "components",
    "contract",
    "policies",
    "automation",
  ]) {
    fs.cpSync(path.join(REPO, entry), path.join(dir, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
  {
    // The router CRD is cluster-wide and outlives the bench's stack (ensureRouterCrd creates it when absent).
    const file = path.join(dir, "stacks", `Pulumi.${STACK}.yaml`);
    const doc = parseYaml(fs.readFileSync(file, "utf8"));
    doc.config["slipway:namespace"] = NAMESPACE;
    doc.config["slipway:installRouterCrds"] = "false";
    fs.writeFileSync(file, stringifyYaml(doc));
  }
  return dir;
}

/** A session over the stack file's release that records nothing (the bench times updates, not the backend). */
export async function benchSession(engine: Engine): Promise<StackSession> {
  const none = async () => undefined;
  const state = { readRelease: none } as unknown as StackState;
  const s: StackSession = {
    stack: STACK,
    state,
    id: "bench",
    rel: await readRelease(engine, state, STACK),
    note: () => none,
    commit: none,
  };
  return s;
}
