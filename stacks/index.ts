// The program: config -> components -> named outputs. Wiring only.
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { loadConfig } from "./config";
import { runByEngine } from "./release";
import { accessOf, LocalCluster, Platform, ServiceDefinition } from "../components";

const cfg = loadConfig({ readRelease: runByEngine() });
const prefix = `slipway-${cfg.environment}`;
const tags = {
  "slipway.dev/environment": cfg.environment,
  "slipway.dev/stack": cfg.stack,
  "app.kubernetes.io/part-of": "slipway",
};

// What each service reaches, whether it is an entry or canaried, and its container: the stack's catalogue.
const catalogue: Record<string, ServiceDefinition> = Object.fromEntries(
  Object.entries(cfg.catalogue).map(([s, d]) => [
    s,
    {
      access: accessOf(d.reaches),
      entry: d.entry,
      canary: d.canary,
      container: { image: d.image, port: d.port, healthPath: d.health, readinessPath: d.readiness },
    },
  ]),
);

// The release's database snapshot: only while a release is in progress on a stack that asks for it.
const backupFor = cfg.backup ? cfg.release.canaryVersion : undefined;

interface ReleaseBackup {
  snapshot: pulumi.Resource;
  snapshotId: pulumi.Output<string>;
  version: string;
}

interface Foundation {
  clusterName: pulumi.Output<string>;
  kubeconfig: pulumi.Output<string>;
  provider: k8s.Provider;
  connection: pulumi.Input<Record<string, pulumi.Input<string>>>;
  data?: Record<string, pulumi.Output<unknown>>;
  serviceRoleArns?: Record<string, pulumi.Input<string>>;
  dataTierCidrs?: string[];
  backup?: ReleaseBackup;
}

function awsFoundation(): Foundation {
  // Required here, not imported above: the local stack must not pay for loading the AWS SDKs.
  const { Network, Cluster, DataTier, ServiceIdentities } =
    require("../components/aws") as typeof import("../components/aws");
  const aws = cfg.aws!;
  const network = new Network("network", { natGateways: aws.natGateways, availabilityZones: 3, tags });
  const cluster = new Cluster("cluster", {
    clusterName: prefix,
    vpcId: network.vpcId,
    privateSubnetIds: network.appSubnetIds,
    publicSubnetIds: network.publicSubnetIds,
    kubernetesVersion: aws.kubernetesVersion,
    nodeGroup: aws.nodeGroup,
    apiAllowedCidrs: aws.apiAllowedCidrs,
    tags,
  });
  const data = new DataTier("data", {
    prefix,
    vpcId: network.vpcId,
    subnetIds: network.dataSubnetIds,
    clientSecurityGroupId: cluster.nodeSecurityGroupId,
    database: aws.database,
    cache: aws.cache,
    backupFor,
    restoreFrom: cfg.release.restoreFrom,
    tags,
  });
  const identities = new ServiceIdentities("identities", {
    oidcProviderArn: cluster.oidcProviderArn,
    oidcProviderUrl: cluster.oidcProviderUrl,
    namespace: cfg.namespace,
    access: Object.fromEntries(Object.entries(catalogue).map(([s, d]) => [s, d.access])),
    databaseSecretArn: data.databaseSecretArn,
    bucketArns: data.bucketArns,
    kmsKeyArn: data.kmsKeyArn,
    redis: data.redisArns,
    tags,
  });
  return {
    clusterName: cluster.clusterName,
    kubeconfig: cluster.kubeconfig,
    provider: cluster.provider,
    connection: data.connection,
    serviceRoleArns: identities.roleArns,
    dataTierCidrs: network.dataSubnetCidrs,
    data: { databaseAddress: data.databaseAddress, redisAddress: data.redisAddress, buckets: data.bucketNames },
    backup:
      data.releaseSnapshot && backupFor !== undefined
        ? { snapshot: data.releaseSnapshot, snapshotId: data.releaseSnapshot.dbSnapshotIdentifier, version: backupFor }
        : undefined,
  };
}

function localFoundation(): Foundation {
  const local = cfg.local!;
  const cluster = new LocalCluster("cluster", { kubeconfig: local.kubeconfig, context: local.kubeContext });
  if (backupFor !== undefined) {
    pulumi.log.info(
      `slipway:release backup: the local stack has no data tier, so no snapshot is taken for ${backupFor}`,
    );
  }
  return {
    clusterName: cluster.clusterName,
    kubeconfig: cluster.kubeconfig,
    provider: cluster.provider,
    connection: pulumi.secret(local.dataEndpoints),
  };
}

const foundation = cfg.environment === "local" ? localFoundation() : awsFoundation();
const platform = new Platform(
  "platform",
  {
    environment: cfg.environment,
    namespace: cfg.namespace,
    services: cfg.services,
    release: { ...cfg.release, canaryFullSize: cfg.canary.strategy === "blueGreen" },
    imageRepository: cfg.imageRepository,
    router: cfg.router,
    gatewayName: cfg.gatewayName,
    installRouterCrds: cfg.installRouterCrds,
    deploymentTimeoutSeconds: cfg.deploymentTimeoutSeconds,
    connection: foundation.connection,
    imageDigests: cfg.imageDigests,
    serviceRoleArns: foundation.serviceRoleArns,
    zoneSpread: cfg.zoneSpread,
    seccompProfile: cfg.seccompProfile,
    network: { dataTierCidrs: foundation.dataTierCidrs },
    trafficDependsOn: foundation.backup ? [foundation.backup.snapshot] : [],
    catalogue,
  },
  { providers: [foundation.provider] },
);

export const clusterName = foundation.clusterName;
export const kubeconfig = pulumi.secret(foundation.kubeconfig);
export const namespace = platform.namespace;
export const endpoints = { services: platform.endpoints, ...(foundation.data ?? {}) };
export const services = Object.fromEntries(
  Object.entries(platform.services).map(([name, s]) => [
    name,
    {
      stableVersion: s.stableVersion,
      canaryVersion: s.canaryVersion,
      canaryWeight: s.canaryWeight,
      ...(s.rolledBackVersion ? { rolledBackVersion: s.rolledBackVersion } : {}),
    },
  ]),
);
/** The release's database snapshot, for the driver's journal; absent when none is taken. */
export const backup = foundation.backup && {
  snapshotId: foundation.backup.snapshotId,
  version: foundation.backup.version,
};
export const releaseTargets = platform.releaseTargets;
export const trafficTargets = platform.trafficTargets;
export const canaryTargets = platform.canaryTargets;
