// The Kubernetes naming contract (see notes in docs/stacks.md): names, labels and the weight -> replicas rule.
// Pure functions over the release contract (contract/release.ts), which defines the services, tracks and labels the
// driver reads back.
import {
  CANARY_WEIGHT_ANNOTATION,
  SERVICE_NAMES,
  ServiceName,
  Track,
  TRACK_LABEL,
  weight as checkedWeight,
} from "../contract/release";

export { CANARY_WEIGHT_ANNOTATION, SERVICE_NAMES, TRACK_LABEL };
export type { ServiceName, Track };
export const PART_OF = "slipway";
export const TIMEOUT_ANNOTATION = "pulumi.com/timeoutSeconds";
/** Port the containers listen on and serve /health and /metrics from (seeds: 8000). */
export const CONTAINER_PORT = 8000;
/** Port the Services expose. */
export const SERVICE_PORT = 80;

export function trackName(service: string, track: Track): string {
  return `${service}-${track}`;
}

/** Labels a Service selects on: stable across versions so selectors never change. */
export function selectorLabels(service: string, track?: Track): Record<string, string> {
  const labels: Record<string, string> = { "app.kubernetes.io/name": service, "app.kubernetes.io/part-of": PART_OF };
  if (track !== undefined) labels[TRACK_LABEL] = track;
  return labels;
}

export function podLabels(service: string, track: Track, version: string): Record<string, string> {
  return { ...selectorLabels(service, track), "app.kubernetes.io/version": version };
}

/** Canary replicas follow the weight: ceil(stable * weight / 100), none at weight 0. */
export function canaryReplicas(stableReplicas: number, weight: number): number {
  return Math.ceil((stableReplicas * checkedWeight(weight)) / 100);
}

export function imageRef(repository: string, service: string, version: string): string {
  return `${repository}/${service}:${version}`;
}
