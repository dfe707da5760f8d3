// What the config resolves to: the program's keys, the release and the driver's release policy, every default applied.
import type { Environment, ServiceName } from "../../contract/release";
import type { Reaches } from "../../contract/catalogue";
import type { SeccompProfile } from "../../contract/podSecurity";
import type { DatabaseArgs } from "../../components/dataTier";
import type { ServiceSizing } from "../../components/service";
import type { AnalysisProvider, ApprovalRule, CanaryPolicy, FreezeWindow, ReleaseHooks } from "./policyTypes";
import type { NotificationTarget } from "./notifications";

export type { ServiceSizing, SeccompProfile };

/** What the config says of each service besides its sizing. */
export interface ServiceDefinition {
  /** Image repository without a tag; undefined = `<imageRepository>/<name>`. */
  image?: string;
  port?: number;
  health?: string;
  readiness?: string;
  reaches: Reaches;
  entry: boolean;
  canary: boolean;
  /** The service's own gates, run beside the stack's analysis while it is canaried. */
  gates: AnalysisProvider[];
}

export const ROUTERS = ["smi", "gateway", "alb"] as const;
export type Router = (typeof ROUTERS)[number];

export interface ReleaseConfig {
  /** Image tag every service runs on the stable track unless serviceVersions overrides it. */
  stableVersion: string;
  /** Resolved stable version per service. */
  serviceVersions: Record<ServiceName, string>;
  /** Version on the canary track; undefined when no canary runs. */
  canaryVersion?: string;
  /** Percent of traffic sent to the canary, 0..100. */
  canaryWeight: number;
  /** Services released together; the canary exists only for these. */
  canaryServices: ServiceName[];
  /** A canary version rolled back (never served): its Deployments of canaryServices stay at zero replicas. */
  rolledBackVersion?: string;
  /** The primary database restored from a release's snapshot (slipway rollback --restore-database); absent = none. */
  restoreFrom?: { snapshotId: string; release: string };
}

export interface AwsConfig {
  kubernetesVersion: string;
  nodeGroup: { instanceType: string; minSize: number; maxSize: number; desiredSize: number };
  /** CIDRs allowed to reach the public API endpoint; empty = private endpoint only. */
  apiAllowedCidrs: string[];
  natGateways: "single" | "perAz";
  database: DatabaseArgs;
  cache: { nodeType: string; clusterMode: boolean; shards: number; replicasPerShard: number };
}

export interface LocalConfig {
  /** Kubeconfig contents or path; undefined = the ambient KUBECONFIG. */
  kubeconfig?: string;
  kubeContext?: string;
  /** Connection settings put into the connection Secret. */
  dataEndpoints: Record<string, string>;
}

export interface StackConfig {
  stack: string;
  environment: Environment;
  namespace: string;
  router: Router;
  gatewayName: string;
  installRouterCrds: boolean;
  imageRepository: string;
  deploymentTimeoutSeconds: number;
  /** Sizing per service of the catalogue, in the catalogue's order. */
  services: Record<ServiceName, ServiceSizing>;
  /** What each service of the catalogue reaches, whether it is an entry or canaried, its container and its gates. */
  catalogue: Record<ServiceName, ServiceDefinition>;
  /** True when the stack runs the default catalogue (no list of its own in slipway:services). */
  defaultCatalogue: boolean;
  release: ReleaseConfig;
  /** Image digest per service and version (`sha256:<hex>`); prod's policy refuses an image without one. */
  imageDigests: Record<ServiceName, Record<string, string>>;
  /** Zone spread of the service pods: required on prod (the node group spans three zones), preferred elsewhere. */
  zoneSpread: "required" | "preferred";
  seccompProfile: SeccompProfile;
  canary: CanaryPolicy;
  hooks: ReleaseHooks;
  /** A manual database snapshot named after the release before its first traffic step. prod: on. */
  backup: boolean;
  approval: ApprovalRule;
  freeze: FreezeWindow[];
  /** Where the driver reports what a release did (`slipway:notifications`). */
  notifications: NotificationTarget[];
  aws?: AwsConfig;
  local?: LocalConfig;
}
