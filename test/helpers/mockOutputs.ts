// The outputs a real deployment would report for the resource types the program reads, one function per type.
export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";

type Outputs = { id: string; state: any };

function arn(service: string, resource: string): string {
  return `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
}

function kubeconfigFor(cluster: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: cluster, cluster: { server: `https://${cluster}.gr7.${REGION}.eks.amazonaws.com` } }],
    contexts: [{ name: cluster, context: { cluster, user: cluster } }],
    "current-context": cluster,
    users: [{ name: cluster, user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws" } } }],
  });
}

function subnetIds(kind: string, n = 3): string[] {
  return Array.from({ length: n }, (_, i) => `subnet-${kind}${i}`);
}

function rdsInstance(name: string, inputs: any): Outputs {
  const identifier = inputs.identifier ?? name;
  const address = `${identifier}.c1a2b3c4d5e6.${REGION}.rds.amazonaws.com`;
  return {
    id: identifier,
    state: {
      ...inputs,
      identifier,
      address,
      port: 5432,
      endpoint: `${address}:5432`,
      arn: arn("rds", `db:${identifier}`),
      masterUserSecrets: inputs.manageMasterUserPassword
        ? [
            {
              secretArn: arn("secretsmanager", `secret:rds!db-${identifier}`),
              secretStatus: "active",
              kmsKeyId: inputs.masterUserSecretKmsKeyId,
            },
          ]
        : [],
    },
  };
}

function rdsSnapshot(name: string, inputs: any): Outputs {
  // Encryption (encrypted, kmsKeyId) comes from the source instance, which a per-resource mock does not see.
  const identifier = inputs.dbSnapshotIdentifier ?? name;
  return {
    id: identifier,
    state: {
      ...inputs,
      dbSnapshotArn: arn("rds", `snapshot:${identifier}`),
      snapshotType: "manual",
      status: "available",
      engine: "postgres",
    },
  };
}

function replicationGroup(name: string, inputs: any): Outputs {
  const rg = inputs.replicationGroupId ?? name;
  return {
    id: rg,
    state: {
      ...inputs,
      arn: arn("elasticache", `replicationgroup:${rg}`),
      primaryEndpointAddress:
        inputs.clusterMode === "enabled" ? undefined : `master.${rg}.abc123.use1.cache.amazonaws.com`,
      configurationEndpointAddress:
        inputs.clusterMode === "enabled" ? `clustercfg.${rg}.abc123.use1.cache.amazonaws.com` : undefined,
    },
  };
}

function eksCluster(name: string, inputs: any, id: string): Outputs {
  const cluster = inputs.name ?? name;
  return {
    id,
    state: {
      kubeconfigJson: kubeconfigFor(cluster),
      kubeconfig: JSON.parse(kubeconfigFor(cluster)),
      oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.${REGION}.amazonaws.com/id/EXAMPLE`,
      oidcProviderUrl: `oidc.eks.${REGION}.amazonaws.com/id/EXAMPLE`,
      clusterSecurityGroupId: "sg-control-plane",
      nodeSecurityGroupId: "sg-nodes",
    },
  };
}

const BY_TYPE: Record<string, (name: string, inputs: any, id: string) => Outputs> = {
  "aws:kms/key:Key": (_, inputs, id) => ({ id, state: { ...inputs, arn: arn("kms", `key/${id}`), keyId: id } }),
  "aws:iam/role:Role": (name, inputs) => ({
    id: name,
    state: { ...inputs, name, arn: `arn:aws:iam::${ACCOUNT}:role/${name}` },
  }),
  "aws:s3/bucket:Bucket": (name, inputs) => {
    const bucket = inputs.bucket ?? name;
    return { id: bucket, state: { ...inputs, bucket, arn: `arn:aws:s3:::${bucket}` } };
  },
  // Auto-named like AWS names them: the Pulumi name and a random suffix.
  "aws:rds/subnetGroup:SubnetGroup": (name, inputs, id) => ({
    id,
    state: { ...inputs, name: inputs.name ?? `${name}-a1b2c3d`, arn: arn("rds", `subgrp:${name}`) },
  }),
  "aws:rds/parameterGroup:ParameterGroup": (name, inputs, id) => ({
    id,
    state: { ...inputs, name: inputs.name ?? `${name}-a1b2c3d`, arn: arn("rds", `pg:${name}`) },
  }),
  "aws:rds/instance:Instance": rdsInstance,
  "aws:rds/snapshot:Snapshot": rdsSnapshot,
  "aws:elasticache/replicationGroup:ReplicationGroup": replicationGroup,
  "aws:elasticache/userGroup:UserGroup": (_, inputs) => ({
    id: inputs.userGroupId,
    state: { ...inputs, arn: arn("elasticache", `usergroup:${inputs.userGroupId}`) },
  }),
  "aws:elasticache/user:User": (_, inputs) => ({
    id: inputs.userId,
    state: { ...inputs, arn: arn("elasticache", `user:${inputs.userId}`) },
  }),
  "aws:ec2/launchTemplate:LaunchTemplate": (name, inputs) => ({
    id: `lt-${name}`,
    state: { ...inputs, latestVersion: 1, arn: arn("ec2", `launch-template/lt-${name}`) },
  }),
  "aws:ec2/securityGroup:SecurityGroup": (name, inputs) => ({
    id: `sg-${name}`,
    state: { ...inputs, arn: arn("ec2", `security-group/sg-${name}`) },
  }),
  "awsx:ec2:Vpc": (_, __, id) => ({
    id,
    state: {
      vpcId: "vpc-0123456789",
      publicSubnetIds: subnetIds("public"),
      privateSubnetIds: subnetIds("app"),
      isolatedSubnetIds: subnetIds("data"),
    },
  }),
  "eks:index:Cluster": eksCluster,
};

/** Outputs a real deployment would report for the types the program reads. */
export function outputsFor(type: string, name: string, inputs: any): Outputs {
  const id = `${name}-id`;
  const known = BY_TYPE[type];
  if (known !== undefined) return known(name, inputs, id);
  if (type.startsWith("kubernetes:")) {
    const meta = inputs.metadata ?? {};
    const objName = meta.name ?? name;
    const k8sId = meta.namespace ? `${meta.namespace}/${objName}` : objName;
    return { id: k8sId, state: { ...inputs, metadata: { ...meta, name: objName, uid: `${objName}-uid` } } };
  }
  if (type.startsWith("aws:")) {
    return { id, state: { ...inputs, arn: arn(type.split(":")[1].split("/")[0], id) } };
  }
  return { id, state: inputs };
}
