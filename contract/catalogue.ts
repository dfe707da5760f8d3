// The service catalogue: the services of a system, what each one reaches, whether it takes traffic from outside and
// whether a promotion canaries it. The program builds every per-service object from it (Deployments, Services, routes,
// NetworkPolicies, ServiceAccounts, IAM roles, autoscalers and budgets); the driver releases by it. Types and pure
// derivations only; the default catalogue (the seeds' five services) is ./defaultCatalogue.ts.

/** The data tier's buckets, by purpose. */
export type BucketPurpose = "artifacts" | "audit";
export const BUCKET_PURPOSES: readonly BucketPurpose[] = ["artifacts", "audit"];

/** Traffic a service may send outside the cluster's services and data tier: a CIDR and its TCP ports. */
export interface EgressRule {
  cidr: string;
  ports: number[];
}

/** What one service may reach. */
export interface Reaches {
  /** The data tier's PostgreSQL, and the secret of its credentials (Secrets Manager). */
  database?: boolean;
  /** The data tier's Redis, signed in to with IAM (elasticache:Connect through the service's IRSA role). */
  cache?: boolean;
  /** Buckets of the data tier it reads, or reads and writes. */
  buckets?: Partial<Record<BucketPurpose, "read" | "write">>;
  /** Other services of the catalogue, by name, on their container port. */
  services?: string[];
  /** Addresses outside the cluster, by CIDR and TCP port. */
  egress?: EgressRule[];
}

/** Replicas, requests and limits, and what the autoscaler scales on. */
export interface CatalogueSizing {
  minReplicas: number;
  maxReplicas: number;
  /** Resource the HPA scales on. */
  scaleOn: "cpu" | "memory";
  /** Target utilization in percent; default 70 for CPU, 80 for memory. */
  scaleTarget?: number;
  /** Per-pod request-rate target in requests per second (custom metric http_requests_per_second); default none. */
  requestsPerSecond?: number;
  cpuRequest: string;
  cpuLimit: string;
  memoryRequest: string;
  memoryLimit: string;
  ephemeralStorageRequest?: string;
  ephemeralStorageLimit?: string;
}

/** One service of a catalogue. */
export interface CatalogueEntry {
  /** A DNS label: the name of its Deployments, Services, route, ServiceAccount and role. */
  name: string;
  /** Its image repository without a tag; default `<slipway:imageRepository>/<name>`. */
  image?: string;
  /** Port its container listens on and serves health and metrics from; default 8000. */
  port?: number;
  /** Liveness path; default /health. */
  health?: string;
  /** Readiness path; default /health/external. */
  readiness?: string;
  /** The seeds' numbers for the service (the production sizing); environments apply their floors. */
  sizing: CatalogueSizing;
  reaches: Reaches;
  /** Takes traffic from outside the namespace (the system's entry point); default false. */
  entry?: boolean;
  /** Released through canary steps; false = rolled out directly when a promotion makes its version stable. Default true. */
  canary?: boolean;
}

export const DEFAULT_PORT = 8000;
export const DEFAULT_HEALTH = "/health";
export const DEFAULT_READINESS = "/health/external";
