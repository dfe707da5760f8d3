// Per-environment defaults of the program's keys: node groups, database and cache sizes, the services' sizing from
// the seeds (../sizing.ts) with each environment's replica floor, and the local stack's placeholders.
import { Environment, SERVICE_NAMES } from "../../contract/release";
import { ENVIRONMENT_SIZING, LOCAL_SIZING, SERVICE_SEEDS } from "../sizing";
import { refuse } from "./errors";
import type { AwsConfig, SeccompProfile, ServiceSizing } from "./types";

export const REPLICA_FLOOR: Record<Environment, number> = { dev: 2, staging: 3, prod: 3, local: 1 };

export function awsDefaults(env: Exclude<Environment, "local">): AwsConfig {
  const prod = env === "prod";
  const staging = env === "staging";
  return {
    kubernetesVersion: "1.31",
    nodeGroup: prod
      ? { instanceType: "m5.2xlarge", minSize: 3, maxSize: 20, desiredSize: 3 }
      : staging
        ? { instanceType: "m5.2xlarge", minSize: 3, maxSize: 10, desiredSize: 3 }
        : { instanceType: "m5.xlarge", minSize: 2, maxSize: 5, desiredSize: 2 },
    apiAllowedCidrs: [],
    natGateways: prod ? "perAz" : "single",
    database: {
      instanceClass: prod ? "db.r5.xlarge" : staging ? "db.r5.large" : "db.t3.medium",
      engineVersion: "16.4",
      allocatedStorageGb: prod ? 500 : staging ? 200 : 50,
      multiAz: prod,
      readReplicas: prod ? 2 : staging ? 1 : 0,
      backupRetentionDays: 30,
      deletionProtection: prod,
    },
    cache: prod
      ? { nodeType: "cache.m5.xlarge", clusterMode: true, shards: 3, replicasPerShard: 2 }
      : staging
        ? { nodeType: "cache.m5.large", clusterMode: false, shards: 1, replicasPerShard: 1 }
        : { nodeType: "cache.t3.small", clusterMode: false, shards: 1, replicasPerShard: 0 },
  };
}

/** A catalogue service's sizing: what it states over its environment's defaults. */
export function stackSizing(env: Environment, stated: Partial<ServiceSizing>): ServiceSizing {
  const keys = Object.keys(ENVIRONMENT_SIZING[env]).concat([
    "scaleTarget",
    "requestsPerSecond",
    "ephemeralStorageRequest",
    "ephemeralStorageLimit",
  ]);
  const given = Object.fromEntries(Object.entries(stated).filter(([k, v]) => keys.includes(k) && v !== undefined));
  return { ...ENVIRONMENT_SIZING[env], ...given };
}

/** The default catalogue's sizing: the seeds, each environment's floor, the older per-service overrides on top. */
export function serviceSizing(
  env: Environment,
  overrides: Record<string, Partial<ServiceSizing> | undefined> | undefined,
): Record<string, ServiceSizing> {
  const out: Record<string, ServiceSizing> = {};
  for (const name of SERVICE_NAMES) {
    const seed = SERVICE_SEEDS[name];
    const base: ServiceSizing =
      env === "local"
        ? { ...LOCAL_SIZING, scaleOn: seed.scaleOn, requestsPerSecond: seed.requestsPerSecond }
        : {
            ...seed,
            minReplicas: Math.max(REPLICA_FLOOR[env], env === "dev" ? 2 : seed.minReplicas),
          };
    const o = overrides?.[name] ?? {};
    const sizing: ServiceSizing = { ...base, ...o };
    if (sizing.minReplicas < REPLICA_FLOOR[env]) {
      throw refuse(
        `services.${name}.minReplicas`,
        sizing.minReplicas,
        `set at least ${REPLICA_FLOOR[env]} on a ${env} stack`,
      );
    }
    if (sizing.maxReplicas < sizing.minReplicas) {
      throw refuse(
        `services.${name}.maxReplicas`,
        sizing.maxReplicas,
        `set at least minReplicas (${sizing.minReplicas})`,
      );
    }
    out[name] = sizing;
  }
  return out;
}

export const LOCAL_DATA_ENDPOINTS: Record<string, string> = {
  DATABASE_URL: "postgresql://slipway@postgres.slipway-data.svc:5432/slipway?sslmode=require",
  REDIS_URL: "rediss://redis.slipway-data.svc:6379",
};

/** `localhost/<path>` names a node-local profile; the other texts are profile types. */
export function parseSeccomp(text: string): SeccompProfile {
  return text.startsWith("localhost/")
    ? { type: "Localhost", localhostProfile: text.slice("localhost/".length) }
    : { type: text as "RuntimeDefault" | "Unconfined" };
}
