// Reads the weight the cluster actually applied: the `slipway.dev/canary-weight` annotation every traffic object
// carries, through the Kubernetes API with the stack's kubeconfig (one list call for every service: a kubectl run
// costs about 0.3 s of every weight step). Undefined when no kubeconfig is available.
import * as fs from "fs";
import * as k8s from "@kubernetes/client-node";
import { withSignal } from "../analysis/kubernetes";
import { CANARY_WEIGHT_ANNOTATION, TRAFFIC_KINDS } from "../../contract/release";
import type { WeightReader } from "../deps";

interface KubeObject {
  metadata?: { name?: string; annotations?: Record<string, string> };
}
type Lister = (kc: k8s.KubeConfig, namespace: string, options: k8s.ConfigurationOptions) => Promise<KubeObject[]>;

const custom =
  (kind: { apiVersion: string; kind: string }): Lister =>
  async (kc, namespace, options) => {
    const [group, version] = kind.apiVersion.split("/");
    const plural = `${kind.kind.toLowerCase()}s`;
    const list = (await kc
      .makeApiClient(k8s.CustomObjectsApi)
      .listNamespacedCustomObject({ group, version, namespace, plural }, options)) as { items?: KubeObject[] };
    return list.items ?? [];
  };

/** The traffic object of each router (components/trafficRoute.ts). */
const LIST: Record<string, Lister> = {
  smi: custom(TRAFFIC_KINDS.smi),
  gateway: custom(TRAFFIC_KINDS.gateway),
  alb: async (kc, namespace, options) =>
    (await kc.makeApiClient(k8s.NetworkingV1Api).listNamespacedIngress({ namespace }, options)).items,
};

export const clusterWeights: WeightReader = async (ctx, signal) => {
  if (ctx.kubeconfigPath === undefined || !fs.existsSync(ctx.kubeconfigPath)) return undefined;
  if (ctx.services.length === 0) return {};
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(ctx.kubeconfigPath);
  const items = await (LIST[ctx.router] ?? LIST.smi)(kc, ctx.namespace, withSignal(signal));
  const found = new Map(
    items.map((o) => [o.metadata?.name, o.metadata?.annotations?.[CANARY_WEIGHT_ANNOTATION] ?? ""]),
  );
  return Object.fromEntries(
    ctx.services.map((s) => {
      const v = (found.get(s) ?? "").trim();
      return [s, v === "" ? NaN : Number(v)];
    }),
  );
};

/**
 * The services whose applied weight is not `weight`, as `read` finds them in the cluster (a missing or unreadable
 * annotation counts as wrong); undefined when the cluster cannot be read here (no reader, no kubeconfig).
 */
export async function weightsOff(
  read: WeightReader | undefined,
  ctx: Parameters<WeightReader>[0],
  weight: number,
  signal: AbortSignal,
): Promise<string[] | undefined> {
  if (read === undefined) return undefined;
  const applied = await read(ctx, signal);
  if (applied === undefined) return undefined;
  return ctx.services.filter((s) => applied[s] !== weight);
}
