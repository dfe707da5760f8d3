// The release keys the driver writes and the rule for when an update may be targeted. Pure functions.
import { RELEASE_KEYS as KEY, SERVICE_NAMES } from "../../contract/release";
import type { StackConfig } from "../../stacks/config";

/** The services a promotion canaries by default: those of the stack's catalogue it does not exempt (canary false). */
export function canariedServices(c: Pick<StackConfig, "catalogue">): string[] {
  return Object.keys(c.catalogue).filter((s) => c.catalogue[s].canary);
}

/**
 * Whether `services` are the whole release: every canaried service of the stack's catalogue (default: the default
 * catalogue's services). Then the version becomes the stack's stable version, and the services the catalogue does not
 * canary roll out to it in the same update.
 */
export function isAllServices(services: readonly string[], c?: Pick<StackConfig, "catalogue">): boolean {
  return (c ? canariedServices(c) : SERVICE_NAMES).every((s) => services.includes(s));
}

/** One weight step: canary version, weight and (for a subset) the services, written together. */
export function stepValues(version: string, weight: number, services: readonly string[]): Record<string, string> {
  return {
    [KEY.canaryVersion]: version,
    [KEY.canaryWeight]: String(weight),
    [KEY.canaryServices]: JSON.stringify(services),
    [KEY.rolledBackVersion]: "",
  };
}

/** The canary becomes stable and scales to zero, in one update. A subset moves through serviceVersions. */
export function finalValues(
  version: string,
  services: readonly string[],
  current: StackConfig,
): Record<string, string> {
  const release: Record<string, string> = isAllServices(services, current)
    ? { [KEY.stableVersion]: version, [KEY.serviceVersions]: "{}" }
    : {
        [KEY.serviceVersions]: JSON.stringify({
          ...overrides(current),
          ...Object.fromEntries(services.map((s) => [s, version])),
        }),
      };
  return { ...release, [KEY.canaryWeight]: "0", [KEY.canaryVersion]: "", [KEY.rolledBackVersion]: "" };
}

/** serviceVersions entries that differ from stableVersion (what the stack file says explicitly). */
function overrides(c: StackConfig): Record<string, string> {
  return Object.fromEntries(Object.entries(c.release.serviceVersions).filter(([, v]) => v !== c.release.stableVersion));
}

/**
 * Rollback: no traffic to the canary and no canary version; `version` is recorded as rolled back on `services`, whose
 * canary Deployments stay at zero replicas (scaled, not deleted) until the next promotion replaces them. The stable
 * track is untouched.
 */
export function rollbackValues(version: string, services: readonly string[]): Record<string, string> {
  return {
    [KEY.canaryWeight]: "0",
    [KEY.canaryVersion]: "",
    [KEY.rolledBackVersion]: version,
    [KEY.canaryServices]: JSON.stringify(services),
  };
}

/** A rollback after a policy refusal: no canary and nothing kept at zero replicas, since its spec was refused. */
export function clearedValues(): Record<string, string> {
  return { [KEY.canaryWeight]: "0", [KEY.canaryVersion]: "", [KEY.rolledBackVersion]: "" };
}

interface ServiceOutput {
  stableVersion?: string;
  canaryVersion?: string;
  canaryWeight?: number;
}

function serviceOutputs(outputs: Record<string, unknown>): Record<string, ServiceOutput> {
  const s = outputs.services;
  return s !== null && typeof s === "object" ? (s as Record<string, ServiceOutput>) : {};
}

function urnsOf(outputs: Record<string, unknown>, key: string, services: readonly string[]): string[] | undefined {
  const m = outputs[key];
  if (m === null || typeof m !== "object") return undefined;
  const urns = services.map((s) => (m as Record<string, unknown>)[s]).filter((u): u is string => typeof u === "string");
  return urns.length > 0 ? urns : undefined;
}

/** The traffic objects of `services` (every deployed service has one): what a rollback's first update targets. */
export function trafficTargets(outputs: Record<string, unknown>, services: readonly string[]): string[] | undefined {
  const urns = urnsOf(outputs, "trafficTargets", services);
  return urns?.length === services.length ? urns : undefined;
}

/** The canary Deployments of `services` that the stack registers (a canary or a rolled-back one). */
export function canaryTargets(outputs: Record<string, unknown>, services: readonly string[]): string[] | undefined {
  return urnsOf(outputs, "canaryTargets", services);
}

export function releaseTargets(outputs: Record<string, unknown>): string[] | undefined {
  const t = outputs.releaseTargets;
  return Array.isArray(t) && t.length > 0 && t.every((u) => typeof u === "string") ? (t as string[]) : undefined;
}

/**
 * When a weight step may be a targeted update: the stack exports `releaseTargets`, and every released service's
 * canary track already runs `version` (so the step changes only the traffic objects and the canary replica count).
 * The first step of a new version changes the canary image (and may create canary Deployments) and runs a full
 * update, as does every promotion to stable. A rollback is targeted whenever the targets are known.
 */
export function stepTargets(
  outputs: Record<string, unknown>,
  services: readonly string[],
  version: string,
): string[] | undefined {
  const targets = releaseTargets(outputs);
  if (targets === undefined) return undefined;
  const svc = serviceOutputs(outputs);
  return services.every((s) => svc[s]?.canaryVersion === version) ? targets : undefined;
}

/** Services whose applied weight (stack output) is not `weight`. */
export function weightMismatches(
  outputs: Record<string, unknown>,
  services: readonly string[],
  weight: number,
): string[] {
  const svc = serviceOutputs(outputs);
  return services.filter((s) => svc[s]?.canaryWeight !== weight);
}
