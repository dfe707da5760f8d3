// Kubernetes-side components and pure functions. The AWS components (Network, Cluster, DataTier) live behind
// "./aws" and are exported here as types only, so importing this barrel never loads the AWS SDKs.
export * from "./naming";
export * from "./podSpec";
export * from "./routing";
export * from "./cidr";
export * from "./trafficRoute";
export * from "./routerCrds";
export * from "./service";
export * from "./platform";
export * from "./localCluster";
export * from "./access";
export * from "./networkPolicy";
export * from "./serviceDefinition";
export type { Network, NetworkArgs } from "./network";
export type { Cluster, ClusterArgs } from "./cluster";
export type { DataTier, DataTierArgs, DatabaseArgs, CacheArgs } from "./dataTier";
export type { ServiceIdentities, ServiceIdentitiesArgs } from "./serviceIdentity";
