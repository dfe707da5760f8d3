// Kubernetes objects a killed update created before Pulumi recorded them: its state holds them only as pending
// creates. Forgetting them (`--clear-pending-creates`) leaves them in the cluster, owned by the dead update's
// Server-Side Apply field manager, so the next create of the same object fails with a field conflict; importing them
// (`--import-pending-creates`) was measured to leave them out of the state all the same. They are deleted instead:
// a pending create is an object the stack never had, so nothing it serves depends on it, and the next update
// creates it afresh.
import * as k8s from "@kubernetes/client-node";

export interface KubeObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** `kubernetes:apps/v1:Deployment` with its inputs -> apps/v1 Deployment namespace/name; undefined for other types. */
export function kubeObjectOf(type: string, inputs: unknown): KubeObjectRef | undefined {
  const m = /^kubernetes:([^/:]+)\/([^:]+):(.+)$/.exec(type);
  const meta = (inputs as { metadata?: { name?: unknown; namespace?: unknown } } | undefined)?.metadata;
  if (!m || typeof meta?.name !== "string") return undefined;
  const [, group, version, kind] = m;
  const namespace = typeof meta.namespace === "string" ? meta.namespace : undefined;
  return { apiVersion: group === "core" ? version : `${group}/${version}`, kind, name: meta.name, namespace };
}

export const refText = (r: KubeObjectRef) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ""}${r.name}`;

const gone = (err: unknown) => (err as { code?: number }).code === 404;

/** Waits, bounded, until a deleted object (and, with foreground deletion, its pods) is gone, so it can be created again. */
async function waitGone(api: k8s.KubernetesObjectApi, r: KubeObjectRef, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      await api.read({ apiVersion: r.apiVersion, kind: r.kind, metadata: { name: r.name, namespace: r.namespace } });
    } catch (err) {
      if (gone(err)) return;
      throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${refText(r)} is still being deleted after ${timeoutMs / 1000}s`);
}

/** Deletes each object (gone already is fine) and waits until it is gone; resolves to those that existed. */
export async function deleteObjects(
  refs: KubeObjectRef[],
  kubeconfigPath: string | undefined,
): Promise<KubeObjectRef[]> {
  if (refs.length === 0) return [];
  const kc = new k8s.KubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else kc.loadFromDefault();
  const api = k8s.KubernetesObjectApi.makeApiClient(kc);
  const deleted: KubeObjectRef[] = [];
  for (const r of refs) {
    try {
      await api.delete(
        { apiVersion: r.apiVersion, kind: r.kind, metadata: { name: r.name, namespace: r.namespace } },
        undefined,
        undefined,
        0,
        undefined,
        "Foreground",
      );
      deleted.push(r);
    } catch (err) {
      if (!gone(err)) throw err;
    }
  }
  for (const r of deleted) await waitGone(api, r);
  return deleted;
}
