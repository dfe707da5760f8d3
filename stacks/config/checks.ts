// The checks that need more than one key or the environment: the stack's environment against its name, the AWS
// settings against each other and prod's floor, and the release keys against each other.
import { ENVIRONMENTS, Environment, environmentOfStack, ServiceName, VERSION_FIX } from "../../contract/release";
import type { Catalogue } from "./catalogue";
import { awsDefaults } from "./defaults";
import { ConfigError, NAMESPACE, refuse } from "./errors";
import type { Parsed } from "./schema";
import type { AwsConfig, ReleaseConfig } from "./types";

export function resolveAws(env: Exclude<Environment, "local">, p: Parsed): AwsConfig {
  const d = awsDefaults(env);
  const aws: AwsConfig = {
    kubernetesVersion: p.kubernetesVersion ?? d.kubernetesVersion,
    nodeGroup: { ...d.nodeGroup, ...p.nodeGroup },
    apiAllowedCidrs: p.apiAllowedCidrs ?? d.apiAllowedCidrs,
    natGateways: p.natGateways ?? d.natGateways,
    database: { ...d.database, ...p.database },
    cache: { ...d.cache, ...p.cache },
  };
  const ng = aws.nodeGroup;
  if (ng.minSize > ng.maxSize) throw refuse("nodeGroup.minSize", ng.minSize, `set at most maxSize (${ng.maxSize})`);
  if (ng.desiredSize < ng.minSize || ng.desiredSize > ng.maxSize) {
    throw refuse(
      "nodeGroup.desiredSize",
      ng.desiredSize,
      `set a size between minSize (${ng.minSize}) and maxSize (${ng.maxSize})`,
    );
  }
  if (env === "prod" && aws.apiAllowedCidrs.some((c) => c.endsWith("/0"))) {
    throw refuse(
      "apiAllowedCidrs",
      aws.apiAllowedCidrs,
      "list the networks that may reach the API endpoint; a prod stack never opens it to 0.0.0.0/0",
    );
  }
  if (env === "prod" && !aws.database.multiAz) {
    throw refuse("database.multiAz", false, "a prod stack runs its database Multi-AZ: remove the field or set true");
  }
  if (aws.cache.replicasPerShard === 0 && (aws.cache.clusterMode || aws.cache.shards > 1)) {
    throw refuse("cache.replicasPerShard", 0, "cluster mode needs at least 1 replica per shard");
  }
  if (!aws.cache.clusterMode && aws.cache.shards !== 1) {
    throw refuse("cache.shards", aws.cache.shards, "set 1, or set clusterMode true to shard");
  }
  return aws;
}

/**
 * The release's services against the catalogue: with the default catalogue an unknown name is refused; with a stack's
 * own catalogue a name it no longer lists (a service removed, still in the release record) is left out.
 */
function knownServices(
  c: Catalogue,
  p: Parsed,
): { canaryServices?: string[]; serviceVersions: Record<string, string> } {
  const names = Object.keys(c.sizing);
  const versions = Object.entries(p.serviceVersions ?? {});
  if (c.isDefault) {
    p.canaryServices?.forEach((s, i) => {
      if (!names.includes(s)) throw refuse(`canaryServices[${i}]`, s, `use one of ${names.join(", ")}`);
    });
    for (const [s, v] of versions)
      if (!names.includes(s)) throw refuse(`serviceVersions.${s}`, v, `name a service: one of ${names.join(", ")}`);
  }
  const listed = p.canaryServices?.filter((s) => names.includes(s));
  return {
    canaryServices: listed === undefined || listed.length === 0 ? undefined : listed,
    serviceVersions: Object.fromEntries(versions.filter(([s]) => names.includes(s))),
  };
}

export function resolveRelease(p: Parsed, catalogue: Catalogue): ReleaseConfig {
  if (p.stableVersion === undefined) {
    throw new ConfigError(
      `${NAMESPACE}:stableVersion is missing; ${VERSION_FIX}, e.g. pulumi config set ${NAMESPACE}:stableVersion 1.0.0`,
    );
  }
  const canaryVersion = p.canaryVersion === "" ? undefined : p.canaryVersion;
  const canaryWeight = p.canaryWeight ?? 0;
  if (canaryVersion === undefined && canaryWeight > 0) {
    throw refuse("canaryWeight", canaryWeight, `set ${NAMESPACE}:canaryVersion first, or set the weight to 0`);
  }
  const rolledBackVersion = p.rolledBackVersion === "" ? undefined : p.rolledBackVersion;
  if (canaryVersion !== undefined && rolledBackVersion !== undefined) {
    throw refuse(
      "rolledBackVersion",
      rolledBackVersion,
      `set it to "" when ${NAMESPACE}:canaryVersion is set: the new canary replaces the rolled-back one`,
    );
  }
  const known = knownServices(catalogue, p);
  const canaried = Object.keys(catalogue.definitions).filter((s) => catalogue.definitions[s].canary);
  const canaryServices = known.canaryServices ?? canaried;
  const dup = canaryServices.find((s, i) => canaryServices.indexOf(s) !== i);
  if (dup !== undefined) throw refuse("canaryServices", canaryServices, `list each service once (${dup} repeats)`);
  const serviceVersions: Record<ServiceName, string> = {};
  for (const s of Object.keys(catalogue.sizing)) serviceVersions[s] = known.serviceVersions[s] ?? p.stableVersion!;
  return {
    stableVersion: p.stableVersion,
    serviceVersions,
    canaryVersion,
    canaryWeight,
    canaryServices,
    ...(rolledBackVersion ? { rolledBackVersion } : {}),
    ...(p.restoreFrom ? { restoreFrom: p.restoreFrom } : {}),
  };
}

export function resolveEnvironment(stack: string, p: Parsed): Environment {
  const implied = environmentOfStack(stack);
  if (p.environment !== undefined && implied !== undefined && p.environment !== implied) {
    throw refuse(
      "environment",
      p.environment,
      `stack "${stack}" is a ${implied} stack: set ${implied} or remove the key`,
    );
  }
  const env = p.environment ?? implied;
  if (env === undefined) {
    throw new ConfigError(
      `${NAMESPACE}:environment is missing; stack "${stack}" does not name an environment: set one of ${ENVIRONMENTS.join(", ")}`,
    );
  }
  return env;
}
