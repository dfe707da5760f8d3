// Reads the weight the cluster actually applied: the `slipway.dev/canary-weight` annotation every traffic object
// carries (CONTRACT.md), through kubectl with the stack's kubeconfig. Undefined when neither is available.
import { execFile } from "child_process";
import * as fs from "fs";
import type { WeightReader } from "./deps";

const KIND: Record<string, string> = {
  smi: "trafficsplits.split.smi-spec.io",
  gateway: "httproutes.gateway.networking.k8s.io",
  alb: "ingresses.networking.k8s.io",
};

interface KubeObject { metadata?: { name?: string; annotations?: Record<string, string> } }

function kubectl(args: string[], signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("kubectl", args, { signal, timeout: 30_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

/** One kubectl call for every service (a weight step reads all of them): about 0.1-0.2 s per call saved per service. */
export const kubectlWeights: WeightReader = async (ctx, signal) => {
  if (ctx.kubeconfigPath === undefined || !fs.existsSync(ctx.kubeconfigPath)) return undefined;
  if (ctx.services.length === 0) return {};
  let text: string;
  try {
    text = await kubectl(
      ["--kubeconfig", ctx.kubeconfigPath, "-n", ctx.namespace, "get", KIND[ctx.router] ?? KIND.smi, ...ctx.services, "-o", "json"],
      signal,
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  // One name gives the object itself, several a List.
  const doc = JSON.parse(text) as KubeObject & { items?: KubeObject[] };
  const found = new Map((doc.items ?? [doc]).map((o) => [o.metadata?.name, o.metadata?.annotations?.["slipway.dev/canary-weight"] ?? ""]));
  return Object.fromEntries(ctx.services.map((s) => {
    const v = (found.get(s) ?? "").trim();
    return [s, v === "" ? NaN : Number(v)];
  }));
};
