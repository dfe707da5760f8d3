// One IAM role per service that reads anything on AWS, assumed through IRSA by exactly that service's ServiceAccount,
// allowed exactly the secrets and buckets ./access.ts says it reads (and the data key that decrypts them).
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { BucketPurpose, needsAwsAccess, readsDataKey, ServiceAccess } from "./access";

export interface ServiceIdentitiesArgs {
  /** ARN of the cluster's IAM OIDC provider. */
  oidcProviderArn: pulumi.Input<string>;
  /** Its issuer without the scheme, e.g. "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE". */
  oidcProviderUrl: pulumi.Input<string>;
  /** Namespace of the services' ServiceAccounts. */
  namespace: string;
  /** Access per service; services that read nothing get no role. */
  access: Record<string, ServiceAccess>;
  /** Secrets Manager ARN of the database's master credentials, readable by services with database access. */
  databaseSecretArn: pulumi.Input<string>;
  /** ARN per bucket purpose, for the bucket grants of each service's access. */
  bucketArns: Record<BucketPurpose, pulumi.Input<string>>;
  /** The data tier's KMS key: the secret and the buckets are encrypted with it. */
  kmsKeyArn: pulumi.Input<string>;
  /** The Redis replication group and the IAM-authenticated users a service signing in to Redis may connect as. */
  redis?: { replicationGroupArn: pulumi.Input<string>; userArns: pulumi.Input<string>[] };
  /** Tags of every IAM role; default none. */
  tags?: Record<string, string>;
}

/** Trust only the service's own ServiceAccount token, issued for STS. */
export function trustPolicy(
  oidcProviderArn: string,
  oidcProviderUrl: string,
  namespace: string,
  service: string,
): string {
  const issuer = oidcProviderUrl.replace(/^https:\/\//, "");
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${service}`,
            [`${issuer}:aud`]: "sts.amazonaws.com",
          },
        },
      },
    ],
  });
}

export interface AccessArns {
  /** Secrets Manager ARN of the database's master credentials. */
  databaseSecretArn: string;
  /** ARN per bucket purpose. */
  bucketArns: Record<BucketPurpose, string>;
  /** The data tier's KMS key. */
  kmsKeyArn: string;
  /** The Redis replication group and its IAM-authenticated users; needed by a service that signs in to Redis. */
  redis?: { replicationGroupArn: string; userArns: string[] };
}

/** elasticache:Connect on the replication group and the users it signs in as: what IAM authentication to Redis needs. */
function redisStatement(arns: AccessArns): object {
  if (arns.redis === undefined) throw new Error("a service signing in to Redis needs the replication group's ARN");
  return {
    Sid: "RedisConnect",
    Effect: "Allow",
    Action: ["elasticache:Connect"],
    Resource: [arns.redis.replicationGroupArn, ...arns.redis.userArns],
  };
}

/** The service's permissions: named actions on named resources only, never a wildcard action. */
export function accessPolicy(a: ServiceAccess, arns: AccessArns): string {
  const statements: object[] = [];
  if (a.databaseSecret) {
    statements.push({
      Sid: "DatabaseSecret",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      Resource: arns.databaseSecretArn,
    });
  }
  for (const [purpose, mode] of Object.entries(a.buckets) as Array<[BucketPurpose, "read" | "write"]>) {
    const arn = arns.bucketArns[purpose];
    statements.push({ Sid: `${purpose}List`, Effect: "Allow", Action: ["s3:ListBucket"], Resource: arn });
    const actions = mode === "write" ? ["s3:GetObject", "s3:PutObject"] : ["s3:GetObject"];
    statements.push({ Sid: `${purpose}Objects`, Effect: "Allow", Action: actions, Resource: `${arn}/*` });
  }
  if (a.redisSignIn) statements.push(redisStatement(arns));
  if (readsDataKey(a)) {
    statements.push({
      Sid: "DataKey",
      Effect: "Allow",
      Action: ["kms:Decrypt", ...(Object.values(a.buckets).includes("write") ? ["kms:GenerateDataKey"] : [])],
      Resource: arns.kmsKeyArn,
    });
  }
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** The Redis ARNs, for a service that signs in to Redis only: no other policy waits for the cache. */
function redisOf(access: ServiceAccess, args: ServiceIdentitiesArgs) {
  return access.redisSignIn ? pulumi.output(args.redis) : pulumi.output(undefined);
}

export class ServiceIdentities extends pulumi.ComponentResource {
  /** Role ARN per service that has one. */
  public readonly roleArns: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: ServiceIdentitiesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("slipway:platform:ServiceIdentities", name, {}, opts);
    this.roleArns = {};
    for (const [service, access] of Object.entries(args.access)) {
      if (!needsAwsAccess(access)) continue;
      const role = new aws.iam.Role(
        `${name}-${service}`,
        {
          description: `IRSA role of ${service} in ${args.namespace}`,
          assumeRolePolicy: pulumi
            .all([args.oidcProviderArn, args.oidcProviderUrl])
            .apply(([arn, url]) => trustPolicy(arn, url, args.namespace, service)),
          tags: args.tags,
        },
        { parent: this },
      );
      new aws.iam.RolePolicy(
        `${name}-${service}-access`,
        {
          role: role.name,
          policy: pulumi
            .all([args.databaseSecretArn, pulumi.all(args.bucketArns), args.kmsKeyArn, redisOf(access, args)])
            .apply(([databaseSecretArn, bucketArns, kmsKeyArn, redis]) =>
              accessPolicy(access, {
                databaseSecretArn,
                bucketArns: bucketArns as Record<BucketPurpose, string>,
                kmsKeyArn,
                redis,
              }),
            ),
        },
        { parent: this },
      );
      this.roleArns[service] = role.arn;
    }
    this.registerOutputs({ roleArns: this.roleArns });
  }
}
