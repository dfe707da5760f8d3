// The Kubernetes naming contract (see notes in docs/stacks.md): names, labels and the weight -> replicas rule.
// Pure functions, so the driver, the policies and the end-to-end checks can rely on the same values.

export const SERVICE_NAMES = [
    "api-gateway",
    "calculation-service",
    "data-service",
    "cache-service",
    "audit-service",
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
export type Track = "stable" | "canary";

export const PART_OF = "slipway";
export const TRACK_LABEL = "slipway.dev/track";
export const CANARY_WEIGHT_ANNOTATION = "slipway.dev/canary-weight";
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
    if (!Number.isInteger(weight) || weight < 0 || weight > 100) {
        throw new RangeError(`canary weight ${weight} is outside 0..100`);
    }
    return Math.ceil((stableReplicas * weight) / 100);
}

export function imageRef(repository: string, service: string, version: string): string {
    return `${repository}/${service}:${version}`;
}
