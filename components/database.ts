// The data tier's PostgreSQL: security group, subnet and parameter groups, the primary instance, its read replicas
// and the manual snapshot taken for a release. Children of the data tier component (`tier`).
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { DataTierArgs, PG_PORT, releaseSlug, releaseSnapshotId, restoredDatabaseId } from "./dataNames";

/** A security group admitting `port` from the cluster's nodes only. */
export function dataSecurityGroup(
  tier: pulumi.Resource,
  name: string,
  args: DataTierArgs,
  port: number,
  what: string,
): aws.ec2.SecurityGroup {
  return new aws.ec2.SecurityGroup(
    name,
    {
      vpcId: args.vpcId,
      description: `${what}: admits only the cluster's nodes`,
      ingress: [
        {
          protocol: "tcp",
          fromPort: port,
          toPort: port,
          securityGroups: [args.clientSecurityGroupId],
          description: "cluster nodes",
        },
      ],
      egress: [],
      tags: args.tags,
    },
    { parent: tier },
  );
}

/**
 * The primary PostgreSQL instance (TLS forced by its parameter group) and its read replicas; with `restoreFrom`, also
 * the instance restored from that snapshot (./database.ts restoredInstance), and the primary is kept (protected, and
 * retained should it ever leave the program).
 */
export function database(tier: pulumi.Resource, name: string, args: DataTierArgs, key: aws.kms.Key) {
  const parent = { parent: tier };
  const d = args.database;
  const sg = dataSecurityGroup(tier, `${name}-db-sg`, args, PG_PORT, "PostgreSQL");
  const subnets = new aws.rds.SubnetGroup(`${name}-db-subnets`, { subnetIds: args.subnetIds, tags: args.tags }, parent);
  const family = `postgres${d.engineVersion.split(".")[0]}`;
  const params = new aws.rds.ParameterGroup(
    `${name}-db-params`,
    {
      family,
      description: "Forces TLS on every connection",
      parameters: [{ name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" }],
      tags: args.tags,
    },
    parent,
  );
  const common = {
    instanceClass: d.instanceClass,
    storageEncrypted: true,
    kmsKeyId: key.arn,
    publiclyAccessible: false,
    vpcSecurityGroupIds: [sg.id],
    parameterGroupName: params.name,
    performanceInsightsEnabled: true,
    performanceInsightsKmsKeyId: key.arn,
    autoMinorVersionUpgrade: true,
    copyTagsToSnapshot: true,
    tags: args.tags,
  };
  const primary = new aws.rds.Instance(
    `${name}-db`,
    {
      ...common,
      identifier: `${args.prefix}-db`,
      engine: "postgres",
      engineVersion: d.engineVersion,
      dbName: "slipway",
      username: "slipway",
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: key.arn,
      iamDatabaseAuthenticationEnabled: true,
      allocatedStorage: d.allocatedStorageGb,
      storageType: "gp3",
      multiAz: d.multiAz,
      dbSubnetGroupName: subnets.name,
      backupRetentionPeriod: d.backupRetentionDays,
      deletionProtection: d.deletionProtection,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${args.prefix}-db-final`,
      enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
    },
    {
      parent: tier,
      protect: d.deletionProtection || args.restoreFrom !== undefined,
      retainOnDelete: args.restoreFrom !== undefined,
    },
  );
  const replicas = Array.from(
    { length: d.readReplicas },
    (_, i) =>
      new aws.rds.Instance(
        `${name}-db-replica-${i + 1}`,
        {
          ...common,
          identifier: `${args.prefix}-db-replica-${i + 1}`,
          replicateSourceDb: primary.identifier,
          skipFinalSnapshot: true,
        },
        parent,
      ),
  );
  const restored =
    args.restoreFrom && restoredInstance(tier, name, args, key, { ...common, dbSubnetGroupName: subnets.name });
  return { primary, replicas, restored };
}

/**
 * A new instance from the snapshot of a release, as private, encrypted (the data-tier key), TLS-forced, backed up and
 * deletion-protected as the primary, in the same subnets, security group and parameter group. Keyed by the release, so
 * a later restore adds its own instance; one that leaves the program stays in AWS.
 */
function restoredInstance(
  tier: pulumi.Resource,
  name: string,
  args: DataTierArgs,
  key: aws.kms.Key,
  common: aws.rds.InstanceArgs,
): aws.rds.Instance {
  const r = args.restoreFrom!;
  const d = args.database;
  const id = restoredDatabaseId(args.prefix, r.release);
  return new aws.rds.Instance(
    `${name}-db-restored-${releaseSlug(r.release)}`,
    {
      ...common,
      identifier: id,
      snapshotIdentifier: r.snapshotId,
      engine: "postgres",
      engineVersion: d.engineVersion,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: key.arn,
      iamDatabaseAuthenticationEnabled: true,
      storageType: "gp3",
      multiAz: d.multiAz,
      backupRetentionPeriod: d.backupRetentionDays,
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${id}-final`,
      enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
      tags: { ...args.tags, "slipway.dev/restored-from": r.snapshotId },
    },
    { parent: tier, retainOnDelete: true },
  );
}

/**
 * A snapshot is encrypted with its instance's key, so it needs no key of its own. Pulumi name and identifier are
 * keyed by the release: the next release adds its own, and the one that leaves the program stays in AWS.
 */
export function releaseSnapshot(
  tier: pulumi.Resource,
  name: string,
  args: DataTierArgs,
  version: string,
  primary: aws.rds.Instance,
): aws.rds.Snapshot {
  return new aws.rds.Snapshot(
    `${name}-db-release-${releaseSlug(version)}`,
    {
      dbInstanceIdentifier: primary.identifier,
      dbSnapshotIdentifier: releaseSnapshotId(args.prefix, version),
      tags: { ...args.tags, "slipway.dev/release": version },
    },
    { parent: tier, retainOnDelete: true },
  );
}
