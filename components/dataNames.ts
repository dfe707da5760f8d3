// The data tier's arguments, names and pure checks: what the stack config resolves to (stacks/config/types.ts) and
// what the tests and policies check without building a resource.
import type * as pulumi from "@pulumi/pulumi";
import type { BucketPurpose } from "./access";

export interface DatabaseArgs {
  /** RDS class, e.g. "db.r5.xlarge". */
  instanceClass: string;
  /** PostgreSQL major(.minor) version, e.g. "16.4". */
  engineVersion: string;
  /** Storage of the primary in GiB (gp3). */
  allocatedStorageGb: number;
  /** A standby in a second zone (prod: always). */
  multiAz: boolean;
  /** Read replicas of the primary, 0-5. */
  readReplicas: number;
  /** Days of automated backups; point-in-time recovery covers the same window. */
  backupRetentionDays: number;
  /** Refuse deleting the primary (and protect it in the Pulumi state). */
  deletionProtection: boolean;
}

export interface CacheArgs {
  /** ElastiCache node type, e.g. "cache.m5.large". */
  nodeType: string;
  /** Redis cluster mode (sharded); needs at least 1 replica per shard. */
  clusterMode: boolean;
  /** Node groups (shards); 1 without cluster mode. */
  shards: number;
  /** Replicas per shard; above 0 turns on automatic failover and Multi-AZ. */
  replicasPerShard: number;
}

export interface DataTierArgs {
  /** VPC of the data subnets and security groups. */
  vpcId: pulumi.Input<string>;
  /** Private-data subnets (no route to the internet). */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** The only security group admitted to the database and the cache: the cluster's nodes. */
  clientSecurityGroupId: pulumi.Input<string>;
  /** Prefix of the physical names, e.g. "slipway-prod". */
  prefix: string;
  /** The PostgreSQL primary and its replicas. */
  database: DatabaseArgs;
  /** The Redis replication group. */
  cache: CacheArgs;
  /** Tags of every AWS resource; default none. */
  tags?: Record<string, string>;
  /**
   * Release version to take a manual snapshot of the primary database for, before the release's first traffic step;
   * absent = no snapshot. The snapshot is retained in AWS when it leaves the program.
   */
  backupFor?: string;
  /**
   * Restore the primary database from `snapshotId`, the snapshot taken before `release` (`slipway rollback
   * --restore-database`): a new instance, which the services connect to from then on; the primary it replaces is kept.
   */
  restoreFrom?: { snapshotId: string; release: string };
}

export const PG_PORT = 5432;
export const REDIS_PORT = 6379;
export const BUCKETS: readonly BucketPurpose[] = ["artifacts", "audit"];

// RDS DB snapshot identifiers: a letter first, then letters, digits and single hyphens, no trailing hyphen.
const RDS_IDENTIFIER = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const RDS_IDENTIFIER_MAX = 255;

/**
 * A release version as an RDS identifier part: lower case, every run of other characters one hyphen ("1.5.0-rc.1" ->
 * "1-5-0-rc-1"). RDS identifiers ignore case, so versions that differ only in case share one.
 */
export function releaseSlug(version: string): string {
  return version
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** The manual snapshot taken for a release: `<prefix>-release-<slug>`, e.g. slipway-prod-release-1-5-0-rc-1. */
export function releaseSnapshotId(prefix: string, version: string): string {
  return `${prefix}-release-${releaseSlug(version)}`;
}

/** The instance restored from the snapshot of a release: `<prefix>-db-restored-<slug>`. */
export function restoredDatabaseId(prefix: string, release: string): string {
  return `${prefix}-db-restored-${releaseSlug(release)}`;
}

/** Whether RDS accepts `id` as a DB snapshot identifier. */
export function isRdsIdentifier(id: string): boolean {
  return RDS_IDENTIFIER.test(id) && id.length <= RDS_IDENTIFIER_MAX;
}

export function validateDataTierArgs(args: DataTierArgs): string | undefined {
  const c = args.cache;
  if (!c.clusterMode && c.shards !== 1)
    return `cache.shards ${c.shards} needs clusterMode; set clusterMode true or shards 1`;
  if (c.clusterMode && c.replicasPerShard < 1)
    return "cache.clusterMode needs at least 1 replica per shard; raise replicasPerShard";
  if (args.database.backupRetentionDays < 1)
    return "database.backupRetentionDays must be at least 1; point-in-time recovery needs backups";
  if (args.backupFor !== undefined) {
    const id = releaseSnapshotId(args.prefix, args.backupFor);
    if (!isRdsIdentifier(id))
      return (
        `backupFor ${JSON.stringify(args.backupFor)} gives the snapshot identifier ${JSON.stringify(id)}, which RDS refuses; ` +
        `use a prefix that starts with a letter and a version with letters or digits, ${RDS_IDENTIFIER_MAX} characters in all at most`
      );
  }
  const r = args.restoreFrom;
  if (
    r !== undefined &&
    !(isRdsIdentifier(r.snapshotId) && isRdsIdentifier(restoredDatabaseId(args.prefix, r.release)))
  )
    return (
      `restoreFrom ${JSON.stringify(r)} names no RDS snapshot or instance RDS accepts; ` +
      "give the snapshot id the release's backup journaled (slipway history) and a release version with letters or digits"
    );
  return undefined;
}

/** The bucket policy that refuses any request not made over TLS. */
export function tlsOnlyPolicy(bucketArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  });
}
