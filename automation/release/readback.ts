// The one check that an update moved the weight it was meant to: the stack's outputs (`services[S].canaryWeight`),
// then the traffic objects' `slipway.dev/canary-weight` annotation read back from the cluster when a kubeconfig is
// available. Every weight step, the prepare update and the rollback's first update end with it.
import type { Deps } from "../deps";
import { weightsOff } from "../engine/weights";
import { weightMismatches } from "./values";

export interface Readback {
  stack: string;
  namespace: string;
  router: string;
  services: string[];
  /** Appended to each failure's text, e.g. " after the rollback". */
  when?: string;
}

/** Resolves when the stack and the cluster show `weight` on every service; throws `fail(why)` otherwise. */
export async function verifyApplied(
  d: Pick<Deps, "weights" | "kubeconfigPath" | "progress">,
  r: Readback,
  outputs: Record<string, unknown>,
  weight: number,
  signal: AbortSignal,
  fail: (why: string) => Error,
): Promise<void> {
  const when = r.when ?? "";
  const off = weightMismatches(outputs, r.services, weight);
  if (off.length > 0) throw fail(`the stack reports a canary weight other than ${weight} for ${off.join(", ")}${when}`);
  const ctx = { namespace: r.namespace, router: r.router, services: r.services, kubeconfigPath: d.kubeconfigPath };
  const wrong = await weightsOff(d.weights, ctx, weight, signal);
  if (wrong === undefined) {
    if (d.weights !== undefined)
      d.progress(`${r.stack}: applied weight not read from the cluster (no kubeconfig or kubectl)`);
    return;
  }
  if (wrong.length > 0)
    throw fail(`the cluster's slipway.dev/canary-weight is not ${weight} on ${wrong.join(", ")}${when}`);
}
