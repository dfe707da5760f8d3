// Compliant resources, each test changes one property.
export const T = {
  deployment: "kubernetes:apps/v1:Deployment",
  statefulSet: "kubernetes:apps/v1:StatefulSet",
  daemonSet: "kubernetes:apps/v1:DaemonSet",
  replicaSet: "kubernetes:apps/v1:ReplicaSet",
  pod: "kubernetes:core/v1:Pod",
  job: "kubernetes:batch/v1:Job",
  cronJob: "kubernetes:batch/v1:CronJob",
  hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  hpaV1: "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
  rdsInstance: "aws:rds/instance:Instance",
  rdsCluster: "aws:rds/cluster:Cluster",
  rdsClusterInstance: "aws:rds/clusterInstance:ClusterInstance",
  parameterGroup: "aws:rds/parameterGroup:ParameterGroup",
  clusterParameterGroup: "aws:rds/clusterParameterGroup:ClusterParameterGroup",
  rdsSnapshot: "aws:rds/snapshot:Snapshot",
  kmsKey: "aws:kms/key:Key",
  replicationGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
  bucket: "aws:s3/bucket:Bucket",
  bucketV2: "aws:s3/bucketV2:BucketV2",
  sseConfig: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  sseConfigV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  volume: "aws:ebs/volume:Volume",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  awsEks: "aws:eks/cluster:Cluster",
  eks: "eks:index:Cluster",
  secret: "aws:secretsmanager/secret:Secret",
} as const;

export const KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

export function container(name = "api-gateway") {
  return {
    name,
    image: `111122223333.dkr.ecr.eu-west-1.amazonaws.com/slipway/${name}:1.4.0`,
    resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2000m", memory: "4Gi" } },
    livenessProbe: { httpGet: { path: "/health", port: 8080 } },
    readinessProbe: { httpGet: { path: "/health", port: 8080 } },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 10001,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ["ALL"] },
    },
  };
}

export function podSpec() {
  return {
    securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
    containers: [container()],
    volumes: [{ name: "tmp", emptyDir: {} }],
  };
}

export function podLabels(service = "api-gateway", track = "stable") {
  return { "app.kubernetes.io/name": service, "app.kubernetes.io/part-of": "slipway", "slipway.dev/track": track };
}

export function deployment(name = "api-gateway-stable", replicas: number | undefined = 3) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "slipway" },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: { matchLabels: podLabels() },
      template: { metadata: { labels: podLabels() }, spec: podSpec() },
    },
  };
}

export function cronJob() {
  return {
    metadata: { name: "nightly-report" },
    spec: { schedule: "0 2 * * *", jobTemplate: { spec: { template: { spec: podSpec() } } } },
  };
}

export function pod() {
  return { metadata: { name: "debug" }, spec: podSpec() };
}

export function hpa(min = 3, max = 10, target = "api-gateway-stable") {
  return {
    metadata: { name: "api-gateway", namespace: "slipway" },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target },
      minReplicas: min,
      maxReplicas: max,
    },
  };
}

export function pdb(selector: Record<string, unknown> = { matchLabels: { "app.kubernetes.io/name": "api-gateway" } }) {
  return { metadata: { name: "api-gateway", namespace: "slipway" }, spec: { maxUnavailable: 1, selector } };
}

export function rdsInstance() {
  return {
    engine: "postgres",
    engineVersion: "16.4",
    instanceClass: "db.r5.xlarge",
    storageEncrypted: true,
    kmsKeyId: KEY_ARN,
    publiclyAccessible: false,
    backupRetentionPeriod: 30,
    deletionProtection: true,
    parameterGroupName: "slipway-postgres16",
    performanceInsightsEnabled: true,
    performanceInsightsKmsKeyId: KEY_ARN,
  };
}

export function auroraCluster() {
  return {
    engine: "aurora-postgresql",
    storageEncrypted: true,
    kmsKeyId: KEY_ARN,
    backupRetentionPeriod: 30,
    deletionProtection: true,
    dbClusterParameterGroupName: "slipway-aurora16",
  };
}

export function parameterGroup(name = "slipway-postgres16", parameters = [{ name: "rds.force_ssl", value: "1" }]) {
  return { name, family: "postgres16", parameters };
}

export function replicationGroup() {
  return {
    description: "slipway cache",
    nodeType: "cache.m5.xlarge",
    atRestEncryptionEnabled: true,
    transitEncryptionEnabled: true,
    transitEncryptionMode: "required",
    authToken: "a-long-secret-token-value",
    kmsKeyId: KEY_ARN,
  };
}

export function launchTemplate() {
  return {
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 50, encrypted: "true", kmsKeyId: KEY_ARN } }],
  };
}
