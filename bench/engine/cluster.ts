// The bench's kwok cluster: brought up, given the router CRD, emptied of an earlier run's stack, and the floor every
// engine figure is compared with (kubectl patch of the same traffic objects), and the manual rollback of a finished
// release (kubectl set image of the stable Deployments).
import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { trackName } from "../../components/naming";
import { crdSpec, ROUTER_CRDS } from "../../components/routerCrds";
import { NAMESPACE, REPO, services } from "./setup";
import { log } from "./measure";

/** The bench cluster up (kept between runs), the router CRD in it, and the stack's namespace and state gone. */
export async function clusterUp(env: Record<string, string>): Promise<void> {
  log(`cache ${env.SLIPWAY_CACHE}: cluster up`);
  if (!fs.existsSync(env.KUBECONFIG)) {
    // No cluster (cluster:down removes its kubeconfig): a kept stack state would describe objects a new cluster lacks.
    const state = path.join(env.SLIPWAY_CACHE, "state");
    fs.rmSync(state, { recursive: true, force: true });
    fs.mkdirSync(state, { recursive: true });
  }
  const up = spawnSync("bash", [path.join(REPO, "tools", "cluster.sh"), "up"], {
    env,
    stdio: ["ignore", process.stderr, process.stderr],
  });
  if (up.status !== 0) throw new Error("tools/cluster.sh up failed");
  await ensureRouterCrd(env);
  freshStart(env);
}

/** The TrafficSplit CRD, created when no stack of the bench cluster installed it yet. */
async function ensureRouterCrd(env: Record<string, string>): Promise<void> {
  const c = ROUTER_CRDS.smi;
  const name = `${c.plural}.${c.group}`;
  if (spawnSync("kubectl", ["--kubeconfig", env.KUBECONFIG, "get", "crd", name], { env }).status === 0) return;
  const manifest = { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name } };
  const created = spawnSync("kubectl", ["--kubeconfig", env.KUBECONFIG, "create", "-f", "-"], {
    env,
    input: JSON.stringify({ ...manifest, spec: crdSpec(c) }),
    encoding: "utf8",
  });
  if (created.status !== 0) throw new Error(`kubectl create crd ${name}: ${created.stderr}`);
  spawnSync(
    "kubectl",
    ["--kubeconfig", env.KUBECONFIG, "wait", "--for=condition=Established", "--timeout=60s", `crd/${name}`],
    { env },
  );
}

function kubectl(env: Record<string, string>, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile("kubectl", ["--kubeconfig", env.KUBECONFIG, "-n", NAMESPACE, ...args], { env }, (err, out, stderr) =>
      err ? reject(new Error(`kubectl ${args.join(" ")}: ${stderr || err.message}`)) : resolve(out),
    ),
  );
}

/** The floor: the same traffic change (every released service's TrafficSplit backends and annotation) by kubectl. */
export function patchWeights(env: Record<string, string>, weight: number): Promise<unknown> {
  return Promise.all(
    services.map((s) =>
      kubectl(env, [
        "patch",
        "trafficsplits.split.smi-spec.io",
        s,
        "--type",
        "merge",
        "-p",
        JSON.stringify({
          metadata: { annotations: { "slipway.dev/canary-weight": String(weight) } },
          spec: {
            backends: [
              { service: `${s}-stable`, weight: 100 - weight },
              { service: `${s}-canary`, weight },
            ],
          },
        }),
      ]),
    ),
  );
}

/**
 * The seeds' manual rollback (`kubectl rollout undo`'s equivalent): each service's stable Deployment given an image
 * (`images`, by service) by `kubectl set image`, one kubectl per service side by side, as patchWeights does.
 */
export function setImages(env: Record<string, string>, images: Record<string, string>): Promise<unknown> {
  return Promise.all(
    services.map((s) => kubectl(env, ["set", "image", `deployment/${trackName(s, "stable")}`, `${s}=${images[s]}`])),
  );
}

/**
 * Every run starts from nothing: an earlier run killed mid-update leaves objects in the cluster its state never
 * recorded, which the next create of them refuses (a Server-Side Apply conflict). The namespace and its state go.
 */
function freshStart(env: Record<string, string>): void {
  spawnSync(
    "kubectl",
    [
      "--kubeconfig",
      env.KUBECONFIG,
      "delete",
      "namespace",
      NAMESPACE,
      "--ignore-not-found",
      "--wait",
      "--timeout=180s",
    ],
    { env, stdio: ["ignore", process.stderr, process.stderr] },
  );
  const state = new URL(env.PULUMI_BACKEND_URL).pathname;
  fs.rmSync(state, { recursive: true, force: true });
  fs.mkdirSync(state, { recursive: true });
}
