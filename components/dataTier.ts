// The data tier component: one KMS key over the database (./database.ts), Redis and the buckets (./dataStores.ts), and
// the connection settings the services read. Its arguments and pure checks are ./dataNames.ts, re-exported here.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { BucketPurpose } from "./access";
import { database, releaseSnapshot } from "./database";
import { BUCKETS, DataTierArgs, PG_PORT, REDIS_PORT, validateDataTierArgs } from "./dataNames";
import { encryptedBucket, redis as redisGroup } from "./dataStores";

export * from "./dataNames";

/**
 * KMS key, RDS PostgreSQL (TLS forced, master password kept by RDS in Secrets Manager), ElastiCache Redis (encrypted
 * at rest and in transit, IAM-authenticated users) and S3 buckets (SSE-KMS, versioned, private, TLS only).
 */
export class DataTier extends pulumi.ComponentResource {
  public readonly kmsKeyArn: pulumi.Output<string>;
  public readonly databaseAddress: pulumi.Output<string>;
  public readonly databaseReaderAddresses: pulumi.Output<string[]>;
  /** Secrets Manager ARN of the RDS-managed master credentials (the password never enters state). */
  public readonly databaseSecretArn: pulumi.Output<string>;
  public readonly redisAddress: pulumi.Output<string>;
  /** The replication group and the IAM-authenticated app user: what a service signing in to Redis may connect to. */
  public readonly redisArns: { replicationGroupArn: pulumi.Output<string>; userArns: pulumi.Output<string>[] };
  public readonly bucketNames: pulumi.Output<string[]>;
  /** ARN per bucket purpose, for the services' least-privilege roles. */
  public readonly bucketArns: Record<BucketPurpose, pulumi.Output<string>>;
  /** Connection settings for the services' connection Secret: addresses and ARNs, no passwords. */
  public readonly connection: pulumi.Output<Record<string, string>>;
  /** The instance restored from `restoreFrom`'s snapshot, which the services connect to; absent without a restore. */
  public readonly restoredDatabase?: aws.rds.Instance;
  /** The manual snapshot of the primary database taken for `backupFor`; absent without one. */
  public readonly releaseSnapshot?: aws.rds.Snapshot;

  constructor(name: string, args: DataTierArgs, opts?: pulumi.ComponentResourceOptions) {
    super("slipway:data:DataTier", name, {}, opts);
    const invalid = validateDataTierArgs(args);
    if (invalid !== undefined) throw new pulumi.ResourceError(invalid, this);
    const parent = { parent: this };
    const tags = args.tags;

    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Data tier encryption for ${args.prefix}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags,
      },
      parent,
    );
    new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${args.prefix}-data`, targetKeyId: key.keyId }, parent);

    const db = database(this, name, args, key);
    if (args.backupFor !== undefined)
      this.releaseSnapshot = releaseSnapshot(this, name, args, args.backupFor, db.restored ?? db.primary);
    const { replicationGroup: redis, app } = redisGroup(this, name, args, key);
    this.redisArns = { replicationGroupArn: redis.arn, userArns: [app.arn] };
    const buckets = BUCKETS.map((purpose) =>
      encryptedBucket(this, `${name}-${purpose}`, `${args.prefix}-${purpose}`, key, tags),
    );

    this.kmsKeyArn = key.arn;
    // After a restore the services read and write the restored instance; the replicas follow the kept primary.
    const serving = db.restored ?? db.primary;
    this.restoredDatabase = db.restored;
    this.databaseAddress = serving.address;
    this.databaseReaderAddresses = db.restored
      ? db.restored.address.apply((a) => [a])
      : pulumi.all(db.replicas.map((r) => r.address));
    this.databaseSecretArn = serving.masterUserSecrets.apply((s) => s?.[0]?.secretArn ?? "");
    this.redisAddress = args.cache.clusterMode ? redis.configurationEndpointAddress : redis.primaryEndpointAddress;
    this.bucketNames = pulumi.all(buckets.map((b) => b.bucket));
    this.bucketArns = { artifacts: buckets[0].arn, audit: buckets[1].arn };
    this.connection = pulumi
      .all([
        this.databaseAddress,
        this.databaseReaderAddresses,
        this.databaseSecretArn,
        this.redisAddress,
        this.bucketNames,
      ])
      .apply(([host, readers, secretArn, redisHost, bucketNames]): Record<string, string> => ({
        DATABASE_HOST: host,
        DATABASE_PORT: String(PG_PORT),
        DATABASE_NAME: "slipway",
        DATABASE_SSLMODE: "verify-full",
        DATABASE_READER_HOSTS: readers.join(","),
        DATABASE_SECRET_ARN: secretArn,
        REDIS_HOST: redisHost,
        REDIS_PORT: String(REDIS_PORT),
        REDIS_TLS: "true",
        REDIS_USER: "slipway-app",
        S3_ARTIFACTS_BUCKET: bucketNames[0],
        S3_AUDIT_BUCKET: bucketNames[1],
      }));
    this.registerOutputs({
      kmsKeyArn: this.kmsKeyArn,
      databaseAddress: this.databaseAddress,
      redisAddress: this.redisAddress,
      bucketNames: this.bucketNames,
    });
  }
}
