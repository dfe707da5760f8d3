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

function kubectl(args: string[], signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("kubectl", args, { signal, timeout: 30_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

export const kubectlWeights: WeightReader = async (ctx, signal) => {
  if (ctx.kubeconfigPath === undefined || !fs.existsSync(ctx.kubeconfigPath)) return undefined;
  const out: Record<string, number> = {};
  for (const s of ctx.services) {
    let text: string;
    try {
      text = await kubectl(
        ["--kubeconfig", ctx.kubeconfigPath, "-n", ctx.namespace, "get", KIND[ctx.router] ?? KIND.smi, s, "-o", "jsonpath={.metadata.annotations.slipway\\.dev/canary-weight}"],
        signal,
      );
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
    out[s] = text.trim() === "" ? NaN : Number(text.trim());
  }
  return out;
};
