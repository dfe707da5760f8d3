import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { BucketPurpose } from "./access";

export interface DatabaseArgs {
  /** RDS class, e.g. "db.r5.xlarge". */
  instanceClass: string;
  /** PostgreSQL major(.minor) version, e.g. "16.4". */
  engineVersion: string;
  allocatedStorageGb: number;
  multiAz: boolean;
  readReplicas: number;
  /** Days of automated backups; point-in-time recovery covers the same window. */
  backupRetentionDays: number;
  deletionProtection: boolean;
}

export interface CacheArgs {
  /** ElastiCache node type, e.g. "cache.m5.large". */
  nodeType: string;
  clusterMode: boolean;
  shards: number;
  replicasPerShard: number;
}

export interface DataTierArgs {
  vpcId: pulumi.Input<string>;
  /** Private-data subnets (no route to the internet). */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** The only security group admitted to the database and the cache: the cluster's nodes. */
  clientSecurityGroupId: pulumi.Input<string>;
  /** Prefix of the physical names, e.g. "slipway-prod". */
  prefix: string;
  database: DatabaseArgs;
  cache: CacheArgs;
  tags?: Record<string, string>;
  /**
   * Release version to take a manual snapshot of the primary database for, before the release's first traffic step;
   * absent = no snapshot. The snapshot is retained in AWS when it leaves the program.
   */
  backupFor?: string;
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
  public readonly bucketNames: pulumi.Output<string[]>;
  /** ARN per bucket purpose, for the services' least-privilege roles. */
  public readonly bucketArns: Record<BucketPurpose, pulumi.Output<string>>;
  /** Connection settings for the services' connection Secret: addresses and ARNs, no passwords. */
  public readonly connection: pulumi.Output<Record<string, string>>;
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

    const db = this.database(name, args, key);
    if (args.backupFor !== undefined) this.releaseSnapshot = this.snapshot(name, args, args.backupFor, db.primary);
    const redis = this.cache(name, args, key);
    const buckets = BUCKETS.map((purpose) => this.bucket(`${name}-${purpose}`, `${args.prefix}-${purpose}`, key, tags));

    this.kmsKeyArn = key.arn;
    this.databaseAddress = db.primary.address;
    this.databaseReaderAddresses = pulumi.all(db.replicas.map((r) => r.address));
    this.databaseSecretArn = db.primary.masterUserSecrets.apply((s) => s?.[0]?.secretArn ?? "");
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

  private securityGroup(name: string, args: DataTierArgs, port: number, what: string): aws.ec2.SecurityGroup {
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
      { parent: this },
    );
  }

  private database(name: string, args: DataTierArgs, key: aws.kms.Key) {
    const parent = { parent: this };
    const d = args.database;
    const sg = this.securityGroup(`${name}-db-sg`, args, PG_PORT, "PostgreSQL");
    const subnets = new aws.rds.SubnetGroup(
      `${name}-db-subnets`,
      { subnetIds: args.subnetIds, tags: args.tags },
      parent,
    );
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
      { parent: this, protect: d.deletionProtection },
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
    return { primary, replicas };
  }

  /**
   * A snapshot is encrypted with its instance's key, so it needs no key of its own. Pulumi name and identifier are
   * keyed by the release: the next release adds its own, and the one that leaves the program stays in AWS.
   */
  private snapshot(name: string, args: DataTierArgs, version: string, primary: aws.rds.Instance): aws.rds.Snapshot {
    return new aws.rds.Snapshot(
      `${name}-db-release-${releaseSlug(version)}`,
      {
        dbInstanceIdentifier: primary.identifier,
        dbSnapshotIdentifier: releaseSnapshotId(args.prefix, version),
        tags: { ...args.tags, "slipway.dev/release": version },
      },
      { parent: this, retainOnDelete: true },
    );
  }

  private cache(name: string, args: DataTierArgs, key: aws.kms.Key): aws.elasticache.ReplicationGroup {
    const parent = { parent: this };
    const c = args.cache;
    const sg = this.securityGroup(`${name}-redis-sg`, args, REDIS_PORT, "Redis");
    const subnets = new aws.elasticache.SubnetGroup(
      `${name}-redis-subnets`,
      {
        name: `${args.prefix}-redis`,
        subnetIds: args.subnetIds,
        tags: args.tags,
      },
      parent,
    );
    // ElastiCache requires a user named "default" in every group: it is switched off; the app signs in with IAM.
    const disabledDefault = new aws.elasticache.User(
      `${name}-redis-default`,
      {
        userId: `${args.prefix}-default`,
        userName: "default",
        engine: "redis",
        accessString: "off -@all",
        authenticationMode: { type: "no-password-required" },
        tags: args.tags,
      },
      parent,
    );
    const app = new aws.elasticache.User(
      `${name}-redis-app`,
      {
        userId: "slipway-app",
        userName: "slipway-app",
        engine: "redis",
        accessString: "on ~* +@all -@dangerous",
        authenticationMode: { type: "iam" },
        tags: args.tags,
      },
      parent,
    );
    const group = new aws.elasticache.UserGroup(
      `${name}-redis-users`,
      {
        userGroupId: `${args.prefix}-redis`,
        engine: "redis",
        userIds: [disabledDefault.userId, app.userId],
        tags: args.tags,
      },
      parent,
    );
    const replicated = c.replicasPerShard > 0;
    return new aws.elasticache.ReplicationGroup(
      `${name}-redis`,
      {
        replicationGroupId: `${args.prefix}-redis`,
        description: `Redis for ${args.prefix}`,
        engine: "redis",
        engineVersion: "7.1",
        nodeType: c.nodeType,
        port: REDIS_PORT,
        clusterMode: c.clusterMode ? "enabled" : "disabled",
        parameterGroupName: c.clusterMode ? "default.redis7.cluster.on" : "default.redis7",
        numNodeGroups: c.shards,
        replicasPerNodeGroup: c.replicasPerShard,
        automaticFailoverEnabled: replicated,
        multiAzEnabled: replicated,
        atRestEncryptionEnabled: true,
        kmsKeyId: key.arn,
        transitEncryptionEnabled: true,
        userGroupIds: [group.userGroupId],
        subnetGroupName: subnets.name,
        securityGroupIds: [sg.id],
        snapshotRetentionLimit: 7,
        tags: args.tags,
      },
      parent,
    );
  }

  private bucket(name: string, bucketName: string, key: aws.kms.Key, tags?: Record<string, string>): aws.s3.Bucket {
    const parent = { parent: this };
    const bucket = new aws.s3.Bucket(name, { bucket: bucketName, tags }, parent);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-sse`,
      {
        bucket: bucket.id,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn },
            bucketKeyEnabled: true,
          },
        ],
      },
      parent,
    );
    new aws.s3.BucketVersioning(
      `${name}-versioning`,
      {
        bucket: bucket.id,
        versioningConfiguration: { status: "Enabled" },
      },
      parent,
    );
    const block = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      parent,
    );
    new aws.s3.BucketPolicy(
      `${name}-tls-only`,
      {
        bucket: bucket.id,
        policy: bucket.arn.apply(tlsOnlyPolicy),
      },
      { parent: this, dependsOn: [block] },
    );
    return bucket;
  }
}
