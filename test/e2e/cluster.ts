// The e2e tier's cluster, reached only through its API server with the lab's kubeconfig: kubectl, the objects the
// tests read back, the cluster's start (tools/cluster.sh) and the router CRD every stack of the tier shares.
import { execFile, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { crdSpec, ROUTER_CRDS } from "../../components/routerCrds";
import { engineEnv } from "../../tools/env";

const REPO = path.resolve(__dirname, "..", "..");
/** A namespace of its own: the developer's `local` stack (namespace slipway-local) shares the cluster. */
export const NAMESPACE = process.env.SLIPWAY_E2E_NAMESPACE ?? "slipway-e2e";

export function kubectl(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "kubectl",
      args,
      { env: { ...process.env, ...engineEnv(process.env) }, timeout: 60_000, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`kubectl ${args.join(" ")}: ${stderr || err.message}`)) : resolve(stdout),
    );
  });
}

/** `kubectl -n <e2e namespace> get KIND NAME -o jsonpath=...`. */
export async function jsonpath(kind: string, name: string, expr: string): Promise<string> {
  return (await kubectl("-n", NAMESPACE, "get", kind, name, "-o", `jsonpath=${expr}`)).trim();
}

/** The weight each traffic object carries in the cluster (the slipway.dev/canary-weight annotation). */
export async function clusterWeights(namespace = NAMESPACE): Promise<Record<string, number>> {
  const out = await kubectl("-n", namespace, "get", "trafficsplits.split.smi-spec.io", "-o", "json");
  const items = JSON.parse(out).items as Array<{ metadata: { name: string; annotations?: Record<string, string> } }>;
  return Object.fromEntries(
    items.map((i) => [i.metadata.name, Number(i.metadata.annotations?.["slipway.dev/canary-weight"])]),
  );
}

/** Canary backend weight of the TrafficSplit itself, for the services given. */
export async function splitWeights(): Promise<Record<string, number>> {
  const out = await kubectl("-n", NAMESPACE, "get", "trafficsplits.split.smi-spec.io", "-o", "json");
  const items = JSON.parse(out).items as Array<{
    metadata: { name: string };
    spec: { backends: Array<{ service: string; weight: number }> };
  }>;
  return Object.fromEntries(
    items.map((i) => [i.metadata.name, i.spec.backends.find((b) => b.service.endsWith("-canary"))?.weight ?? NaN]),
  );
}

/** Version label and ready replicas of a Deployment. */
export async function deployment(
  name: string,
  namespace = NAMESPACE,
): Promise<{
  version: string;
  image: string;
  replicas: number;
  ready: number;
  generation: number;
  resourceVersion: string;
}> {
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

export function clusterUp(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [path.join(REPO, "tools", "cluster.sh"), "up"], {
      env: { ...process.env, ...engineEnv(process.env) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    child.stdout.on("data", (b) => (log += b));
    child.stderr.on("data", (b) => (log += b));
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`tools/cluster.sh up exited ${code}:\n${log}`)),
    );
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
  const manifest = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${c.plural}.${c.group}` },
    spec: crdSpec(c),
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-crd-"));
  const file = path.join(dir, "crd.json");
  fs.writeFileSync(file, JSON.stringify(manifest));
  await kubectl("create", "-f", file);
  fs.rmSync(dir, { recursive: true, force: true });
  await kubectl("wait", "--for=condition=Established", "--timeout=60s", `crd/${c.plural}.${c.group}`);
}

/** A fresh start: the namespace of a previous run is deleted (its state dir went with its work dir). */
export async function deleteNamespace(namespace = NAMESPACE): Promise<void> {
  await kubectl("delete", "namespace", namespace, "--ignore-not-found", "--wait=true", "--timeout=180s");
}

export async function poll<T>(
  what: string,
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}
