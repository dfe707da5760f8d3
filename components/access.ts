// Who talks to whom, and what each service reads: one map that the NetworkPolicies (allowed edges, egress to the data
// tier and beyond) and the per-service IAM roles (exactly the secrets and buckets a service reads) are both built from,
// so the network and the cloud permissions can never disagree. It follows from the catalogue's `reaches`
// (contract/catalogue.ts). Pure data; no SDK is loaded here.
import { BucketPurpose, EgressRule, Reaches } from "../contract/catalogue";
import { DEFAULT_CATALOGUE } from "../contract/defaultCatalogue";

export type { BucketPurpose, EgressRule };
export type DataStore = "postgres" | "redis";

export interface ServiceAccess {
  /** Services this one calls over HTTP (their pods' container port). */
  calls: string[];
  /** Data stores it connects to. */
  dataStores: DataStore[];
  /** Reads the database credentials secret (Secrets Manager). */
  databaseSecret: boolean;
  /** Buckets it reads, or reads and writes. */
  buckets: Partial<Record<BucketPurpose, "read" | "write">>;
  /** Signs in to Redis as the data tier's IAM-authenticated user (elasticache:Connect); default false. */
  redisSignIn?: boolean;
  /** Addresses outside the cluster it may reach, by CIDR and TCP port; default none. */
  egress?: EgressRule[];
}

/** What a catalogue entry's `reaches` grants: the database (and its secret), the cache (signed in with IAM), buckets. */
export function accessOf(r: Reaches): ServiceAccess {
  const dataStores: DataStore[] = [
    ...(r.database ? ["postgres" as const] : []),
    ...(r.cache ? ["redis" as const] : []),
  ];
  return {
    calls: [...(r.services ?? [])],
    dataStores,
    databaseSecret: r.database === true,
    buckets: { ...r.buckets },
    ...(r.cache ? { redisSignIn: true } : {}),
    ...(r.egress && r.egress.length > 0
      ? { egress: r.egress.map((e) => ({ cidr: e.cidr, ports: [...e.ports] })) }
      : {}),
  };
}

/** The default catalogue's access map. */
export const SERVICE_ACCESS: Record<string, ServiceAccess> = Object.fromEntries(
  DEFAULT_CATALOGUE.map((s) => [s.name, accessOf(s.reaches)]),
);

/** The services that call `service`. */
export function callersOf(service: string, access: Record<string, ServiceAccess> = SERVICE_ACCESS): string[] {
  return Object.entries(access)
    .filter(([, a]) => a.calls.includes(service))
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
