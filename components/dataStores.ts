// The data tier's Redis (IAM-authenticated users, encrypted at rest and in transit) and S3 buckets (SSE-KMS,
// versioned, private, TLS only). Children of the data tier component (`tier`).
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { dataSecurityGroup } from "./database";
import { DataTierArgs, REDIS_PORT, tlsOnlyPolicy } from "./dataNames";

/** The Redis user group, and the user the services sign in as with IAM. */
interface RedisUsers {
  group: aws.elasticache.UserGroup;
  app: aws.elasticache.User;
}

/** The Redis user group: "default" switched off, the app's user signing in with IAM. */
function redisUsers(tier: pulumi.Resource, name: string, args: DataTierArgs): RedisUsers {
  const parent = { parent: tier };
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
  return { group, app };
}

/** The Redis replication group: encrypted with the data tier's key at rest, TLS in transit, admitted from the nodes only. */
export function redis(
  tier: pulumi.Resource,
  name: string,
  args: DataTierArgs,
  key: aws.kms.Key,
): { replicationGroup: aws.elasticache.ReplicationGroup; app: aws.elasticache.User } {
  const parent = { parent: tier };
  const c = args.cache;
  const sg = dataSecurityGroup(tier, `${name}-redis-sg`, args, REDIS_PORT, "Redis");
  const subnets = new aws.elasticache.SubnetGroup(
    `${name}-redis-subnets`,
    {
      name: `${args.prefix}-redis`,
      subnetIds: args.subnetIds,
      tags: args.tags,
    },
    parent,
  );
  const { group, app } = redisUsers(tier, name, args);
  const replicated = c.replicasPerShard > 0;
  const replicationGroup = new aws.elasticache.ReplicationGroup(
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
  return { replicationGroup, app };
}

/** A bucket encrypted with the data tier's key (SSE-KMS), versioned, private and TLS only. */
export function encryptedBucket(
  tier: pulumi.Resource,
  name: string,
  bucketName: string,
  key: aws.kms.Key,
  tags?: Record<string, string>,
): aws.s3.Bucket {
  const parent = { parent: tier };
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
    { parent: tier, dependsOn: [block] },
  );
  return bucket;
}
