// Who talks to whom, and what each service reads: one map that the NetworkPolicies (allowed edges, egress to the data
// tier) and the per-service IAM roles (exactly the secrets and buckets a service reads) are both built from, so the
// network and the cloud permissions can never disagree. Pure data; no SDK is loaded here.
import { ServiceName } from "./naming";

export type BucketPurpose = "artifacts" | "audit";
export type DataStore = "postgres" | "redis";

export interface ServiceAccess {
  /** Services this one calls over HTTP (their pods' container port). */
  calls: ServiceName[];
  /** Data stores it connects to. */
  dataStores: DataStore[];
  /** Reads the database credentials secret (Secrets Manager). */
  databaseSecret: boolean;
  /** Buckets it reads, or reads and writes. */
  buckets: Partial<Record<BucketPurpose, "read" | "write">>;
  /** Signs in to Redis as the data tier's IAM-authenticated user (elasticache:Connect); default false. */
  redisSignIn?: boolean;
}

export const SERVICE_ACCESS: Record<ServiceName, ServiceAccess> = {
  "api-gateway": {
    calls: ["calculation-service", "data-service", "audit-service"],
    dataStores: [],
    databaseSecret: false,
    buckets: {},
  },
  "calculation-service": {
    calls: ["data-service", "cache-service", "audit-service"],
    dataStores: [],
    databaseSecret: false,
    buckets: {},
  },
  "data-service": {
    calls: ["cache-service", "audit-service"],
    dataStores: ["postgres"],
    databaseSecret: true,
    buckets: { artifacts: "read" },
  },
  "cache-service": { calls: [], dataStores: ["redis"], databaseSecret: false, buckets: {}, redisSignIn: true },
  "audit-service": { calls: [], dataStores: ["postgres"], databaseSecret: true, buckets: { audit: "write" } },
};

/** The services that call `service`. */
export function callersOf(service: string, access: Record<string, ServiceAccess> = SERVICE_ACCESS): string[] {
  return Object.entries(access)
    .filter(([, a]) => (a.calls as string[]).includes(service))
    .map(([name]) => name);
}

/** Whether the service reads anything encrypted with the data key: the database secret or a bucket. */
export function readsDataKey(a: ServiceAccess): boolean {
  return a.databaseSecret || Object.keys(a.buckets).length > 0;
}

/** Whether `service` needs AWS credentials at all (a role of its own); a service that reads nothing gets none. */
export function needsAwsAccess(a: ServiceAccess): boolean {
  return readsDataKey(a) || a.redisSignIn === true;
}
