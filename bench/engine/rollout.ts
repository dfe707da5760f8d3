// The stable track's rollout as the cluster reports it: every service's `<svc>-stable` Deployment read through the
// Kubernetes API (one list call per read, as automation/engine/deployments.ts reads them for `status --watch`), and a
// bounded poll every 50 ms that times when the Deployments name a version's image and when they have rolled out.
import * as k8s from "@kubernetes/client-node";
import { trackName } from "../../components/naming";
import { ms } from "./measure";
import { NAMESPACE, services } from "./setup";

/** Each service's stable Deployment as the API returns it (undefined: absent). */
export type StableTrack = Record<string, k8s.V1Deployment | undefined>;

/** The Deployments of the bench namespace, by service, the stable track's only. */
export async function stableTrack(env: Record<string, string>): Promise<StableTrack> {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(env.KUBECONFIG);
  const list = await kc.makeApiClient(k8s.AppsV1Api).listNamespacedDeployment({ namespace: NAMESPACE });
  const byName = new Map(list.items.map((d) => [d.metadata?.name, d]));
  return Object.fromEntries(services.map((s) => [s, byName.get(trackName(s, "stable"))]));
}

/** The image of the service's own container (the container is named after the service, components/podSpec.ts). */
export function imageOf(d: k8s.V1Deployment | undefined, service: string): string {
  return d?.spec?.template?.spec?.containers?.find((c) => c.name === service)?.image ?? "";
}

/** The tag of an image reference (`<repository>/<service>:<version>`, a digest after it ignored). */
export const tagOf = (image: string) => image.split("@")[0].split(":").at(-1) ?? "";

/** An image reference with its tag (and any digest) replaced by `version`. */
export const retagged = (image: string, version: string) => `${image.split("@")[0].replace(/:[^:/]+$/, "")}:${version}`;

/** The Deployment names `version`'s image. */
const names = (d: k8s.V1Deployment | undefined, service: string, version: string) =>
  tagOf(imageOf(d, service)) === version;

/**
 * The Deployment's rollout of `version` is complete, as `kubectl rollout status` judges it: the controller has seen
 * the latest spec (observedGeneration >= generation; before that the status still describes the old ReplicaSet) and
 * every replica is updated, ready and available, none of an old ReplicaSet left.
 */
export function rolledOut(d: k8s.V1Deployment | undefined, service: string, version: string): boolean {
  const want = d?.spec?.replicas ?? 1;
  const st = d?.status;
  return (
    names(d, service, version) &&
    (st?.observedGeneration ?? -1) >= (d?.metadata?.generation ?? 0) &&
    st?.updatedReplicas === want &&
    st?.replicas === want &&
    st?.readyReplicas === want &&
    st?.availableReplicas === want
  );
}

/** The longest a rollout may take before the bench gives up (the stack's progress deadline is 120 s). */
const DEADLINE_MS = 180_000;

export interface Rollout {
  /** Until every stable Deployment names the version's image. */
  applied: number;
  /** Until every stable Deployment has rolled out the version. */
  serving: number;
}

/**
 * Polls the stable track from `start` until every Deployment names `version` and until each has rolled it out, a
 * read every 50 ms (reading back to back would take CPU from the update it measures, on 2 cores). `failed` ends the
 * poll with the error of what changes the track (an update that failed); bounded by DEADLINE_MS.
 */
export async function untilRolledOut(
  env: Record<string, string>,
  version: string,
  start: bigint,
  failed: () => unknown,
): Promise<Rollout> {
  let applied: number | undefined;
  for (;;) {
    const error = failed();
    if (error !== undefined) throw error;
    const track = await stableTrack(env);
    if (applied === undefined && services.every((s) => names(track[s], s, version))) applied = ms(start);
    if (applied !== undefined && services.every((s) => rolledOut(track[s], s, version)))
      return { applied, serving: ms(start) };
    if (ms(start) > DEADLINE_MS) {
      const late = services.filter((s) => !rolledOut(track[s], s, version));
      throw new Error(`${late.join(", ")}: ${version} not rolled out after ${DEADLINE_MS / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
