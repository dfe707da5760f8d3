// Encryption: data at rest under KMS (a customer-managed key where the stack asks for one), TLS forced in transit.
import { Volume } from "@pulumi/aws/ebs";
import { LaunchTemplate } from "@pulumi/aws/ec2";
import { Cluster as AwsEksCluster } from "@pulumi/aws/eks";
import { ReplicationGroup } from "@pulumi/aws/elasticache";
import { Key as KmsKey } from "@pulumi/aws/kms";
import {
  Cluster as RdsCluster,
  ClusterInstance,
  ClusterParameterGroup,
  Instance as RdsInstance,
  ParameterGroup,
  Snapshot as RdsSnapshot,
} from "@pulumi/aws/rds";
import {
  Bucket,
  BucketServerSideEncryptionConfiguration,
  BucketServerSideEncryptionConfigurationV2,
  BucketV2,
} from "@pulumi/aws/s3";
import { Secret } from "@pulumi/aws/secretsmanager";
import { PolicyConfigSchema } from "@pulumi/policy";
import { resourcePolicy, ResourceSubject, stackPolicy, StackSubject, typeOf } from "./lib/define";
import { Report } from "./lib/report";
import { get, isSet, isUnknown, list, show } from "./lib/values";

/**
 * The type token of @pulumi/eks's Cluster component. The pack names it instead of importing the class: loading
 * @pulumi/eks costs about 0.3 s on every pack start, that is on every preview and canary step.
 */
export const EKS_COMPONENT = "eks:index:Cluster";

export interface KeyConfig {
  /** Require a customer-managed KMS key (not the AWS-managed default) for data at rest. */
  requireCustomerManagedKey: boolean;
}

const KEY_DEFAULTS: KeyConfig = { requireCustomerManagedKey: false };
const KEY_SCHEMA: PolicyConfigSchema = {
  properties: { requireCustomerManagedKey: { type: "boolean", default: false } },
};

const LABEL: Record<string, string> = {
  [typeOf(RdsInstance)]: "RDS instance",
  [typeOf(RdsCluster)]: "Aurora cluster",
  [typeOf(ClusterInstance)]: "Aurora cluster instance",
  [typeOf(ReplicationGroup)]: "ElastiCache replication group",
  [typeOf(Volume)]: "EBS volume",
  [typeOf(LaunchTemplate)]: "Launch template",
  [typeOf(AwsEksCluster)]: "EKS cluster",
  [EKS_COMPONENT]: "EKS cluster",
  [typeOf(Secret)]: "Secrets Manager secret",
  [typeOf(ParameterGroup)]: "RDS parameter group",
  [typeOf(ClusterParameterGroup)]: "Aurora cluster parameter group",
  [typeOf(RdsSnapshot)]: "RDS snapshot",
};

/** `RDS instance "orders-db"`: what the resource is and its Pulumi name. */
export function awsLabel(subject: { type: string; name: string }): string {
  return `${LABEL[subject.type] ?? subject.type} "${subject.name}"`;
}

/** Aurora instances take encryption and backups from their cluster. */
export function isAuroraEngine(engine: unknown): boolean {
  return typeof engine === "string" && engine.startsWith("aurora");
}

/** Checks a KMS key property where a customer-managed key is required; AWS-managed aliases do not count. */
export function checkCustomerKey(subject: ResourceSubject, field: string, config: KeyConfig, report: Report): void {
  const label = awsLabel(subject);
  const key = get(subject.props, field);
  // Read before looking at the config, so the preview report lists a computed key whatever the stack requires.
  if (!report.known(key, `${label} ${field}`) || !config.requireCustomerManagedKey) {
    return;
  }
  if (!isSet(key)) {
    report.fail(
      `${label} must set ${field} to a customer-managed KMS key on this stack; pass the stack's KMS key ARN.`,
    );
  } else if (typeof key === "string" && key.includes("alias/aws/")) {
    report.fail(
      `${label} must use a customer-managed KMS key, not the AWS-managed ${show(key)}; pass the stack's KMS key ARN in ${field}.`,
    );
  }
}

/** Checks that a boolean property is exactly true. */
function requireTrue(subject: ResourceSubject, field: string, fix: string, report: Report): void {
  const label = awsLabel(subject);
  const value = get(subject.props, field);
  if (report.known(value, `${label} ${field}`) && value !== true) {
    report.fail(`${label} must set ${field}: true (it is ${show(value)}); ${fix}`);
  }
}

export const rdsStorageEncrypted = resourcePolicy<KeyConfig>({
  name: "rds-storage-encrypted",
  description:
    "Checks whether RDS instances and Aurora clusters encrypt their storage at rest, with a customer-managed KMS key where the stack requires one.",
  resources: [RdsInstance, RdsCluster],
  defaults: KEY_DEFAULTS,
  configSchema: KEY_SCHEMA,
  check: (subject, config, report) => {
    if (subject.type === typeOf(RdsInstance)) {
      const engine = get(subject.props, "engine");
      if (!report.known(engine, `${awsLabel(subject)} engine`) || isAuroraEngine(engine)) {
        return;
      }
    }
    requireTrue(
      subject,
      "storageEncrypted",
      "encryption at rest can only be chosen when the database is created.",
      report,
    );
    checkCustomerKey(subject, "kmsKeyId", config, report);
  },
});

export const rdsPerformanceInsightsEncrypted = resourcePolicy({
  name: "rds-performance-insights-encrypted",
  description:
    "Checks whether RDS instances and Aurora clusters that enable Performance Insights encrypt its data with a KMS key of their own.",
  resources: [RdsInstance, RdsCluster, ClusterInstance],
  check: (subject, _config, report) => {
    const label = awsLabel(subject);
    const enabled = get(subject.props, "performanceInsightsEnabled");
    if (!report.known(enabled, `${label} performanceInsightsEnabled`) || enabled !== true) {
      return;
    }
    const key = get(subject.props, "performanceInsightsKmsKeyId");
    if (report.known(key, `${label} performanceInsightsKmsKeyId`) && !isSet(key)) {
      report.fail(
        `${label} must set performanceInsightsKmsKeyId when Performance Insights is enabled; pass the stack's KMS key ARN (query text can hold customer data).`,
      );
    }
  },
});

/** AUTH token, write-only token or RBAC user groups: any one known to be set is enough. */
function checkAuthentication(subject: ResourceSubject, report: Report): void {
  const label = awsLabel(subject);
  const options = ["authToken", "authTokenWo", "userGroupIds"].map((field) => ({
    field,
    value: get(subject.props, field),
  }));
  const isConfigured = (v: unknown) => (Array.isArray(v) ? v.length > 0 : isSet(v));
  if (options.some((o) => !isUnknown(o.value) && isConfigured(o.value))) {
    return;
  }
  const unknowns = options.filter((o) => !report.known(o.value, `${label} ${o.field}`));
  if (unknowns.length === 0) {
    report.fail(`${label} must require authentication; set authToken (a Pulumi secret) or userGroupIds for RBAC.`);
  }
}

export const elasticacheEncrypted = resourcePolicy<KeyConfig>({
  name: "elasticache-encrypted",
  description:
    "Checks whether ElastiCache replication groups encrypt at rest and in transit (TLS required, not preferred) and require an AUTH token or RBAC user group.",
  resources: [ReplicationGroup],
  defaults: KEY_DEFAULTS,
  configSchema: KEY_SCHEMA,
  check: (subject, config, report) => {
    const label = awsLabel(subject);
    requireTrue(subject, "atRestEncryptionEnabled", "set it when the group is created.", report);
    requireTrue(subject, "transitEncryptionEnabled", "clients must connect with TLS.", report);
    const mode = get(subject.props, "transitEncryptionMode");
    if (report.known(mode, `${label} transitEncryptionMode`) && mode === "preferred") {
      report.fail(
        `${label} must set transitEncryptionMode: "required" (it is "preferred", which still accepts plaintext clients).`,
      );
    }
    checkAuthentication(subject, report);
    checkCustomerKey(subject, "kmsKeyId", config, report);
  },
});

export const ebsVolumeEncrypted = resourcePolicy<KeyConfig>({
  name: "ebs-volume-encrypted",
  description:
    "Checks whether EBS volumes are encrypted, with a customer-managed KMS key where the stack requires one.",
  resources: [Volume],
  defaults: KEY_DEFAULTS,
  configSchema: KEY_SCHEMA,
  check: (subject, config, report) => {
    requireTrue(subject, "encrypted", "a volume cannot be encrypted after it is created.", report);
    checkCustomerKey(subject, "kmsKeyId", config, report);
  },
});

export const launchTemplateEbsEncrypted = resourcePolicy({
  name: "launch-template-ebs-encrypted",
  description: "Checks whether launch templates declare their EBS block devices, root volume included, as encrypted.",
  resources: [LaunchTemplate],
  check: (subject, _config, report) => {
    const label = awsLabel(subject);
    const mappings = list(subject.props, "blockDeviceMappings");
    if (!report.known(mappings, `${label} blockDeviceMappings`)) {
      return;
    }
    let ebsDevices = 0;
    mappings.forEach((mapping, i) => {
      const ebs = get(mapping, "ebs");
      if (ebs === undefined || ebs === null) {
        return;
      }
      ebsDevices++;
      // The provider models this flag as a string ("true"/"false").
      const encrypted = get(ebs, "encrypted");
      if (
        report.known(encrypted, `${label} blockDeviceMappings[${i}].ebs.encrypted`) &&
        encrypted !== true &&
        encrypted !== "true"
      ) {
        report.fail(
          `${label} must set blockDeviceMappings[${i}] (${show(get(mapping, "deviceName"))}) ebs.encrypted: "true" (it is ${show(encrypted)}).`,
        );
      }
    });
    if (ebsDevices === 0) {
      report.fail(
        `${label} must declare its root volume in blockDeviceMappings with ebs.encrypted: "true"; otherwise the AMI's volume is encrypted only if the account turns on EBS encryption by default.`,
      );
    }
  },
});

export const eksSecretsEncrypted = resourcePolicy({
  name: "eks-secrets-encrypted",
  description: "Checks whether EKS clusters envelope-encrypt Kubernetes secrets with a KMS key.",
  resources: [AwsEksCluster, EKS_COMPONENT],
  check: (subject, _config, report) => {
    const label = awsLabel(subject);
    if (subject.type === EKS_COMPONENT) {
      const key = get(subject.props, "encryptionConfigKeyArn");
      if (report.known(key, `${label} encryptionConfigKeyArn`) && !isSet(key)) {
        report.fail(`${label} must set encryptionConfigKeyArn to a KMS key ARN so Kubernetes secrets are encrypted.`);
      }
      return;
    }
    const resources = list(subject.props, "encryptionConfig", "resources");
    const key = get(subject.props, "encryptionConfig", "provider", "keyArn");
    const knownResources = report.known(resources, `${label} encryptionConfig.resources`);
    const knownKey = report.known(key, `${label} encryptionConfig.provider.keyArn`);
    if ((knownResources && !resources.includes("secrets")) || (knownKey && !isSet(key))) {
      report.fail(
        `${label} must set encryptionConfig { resources: ["secrets"], provider: { keyArn } } with a KMS key ARN so Kubernetes secrets are encrypted.`,
      );
    }
  },
});

export const secretsManagerSecretKms = resourcePolicy({
  name: "secretsmanager-secret-kms",
  description:
    "Checks whether Secrets Manager secrets are encrypted with a KMS key of the stack's rather than the AWS-managed default.",
  resources: [Secret],
  check: (subject, _config, report) => {
    checkCustomerKey(subject, "kmsKeyId", { requireCustomerManagedKey: true }, report);
  },
});

/** The resources of `types` that `subject.field` points at: by property dependency, else by one of `keys`. */
export function linkedResources(
  resources: StackSubject[],
  subject: StackSubject,
  field: string,
  types: readonly string[],
  report: Report,
  label: string,
  keys: readonly string[] = ["name", "id", "bucket"],
): StackSubject[] | undefined {
  const candidates = resources.filter((r) => types.includes(r.type));
  const deps = subject.propertyDependencies?.[field] ?? [];
  const byDependency = candidates.filter((r) => deps.includes(r.urn));
  if (byDependency.length > 0) {
    return byDependency;
  }
  const value = get(subject.props, field);
  if (!report.known(value, `${label} ${field}`, subject.urn)) {
    return undefined;
  }
  if (!isSet(value)) {
    return [];
  }
  return candidates.filter((r) => keys.some((key) => get(r.props, key) === value));
}

interface TlsRule {
  engine: RegExp;
  parameter: string;
  values: readonly string[];
}

// The parameter that makes each engine refuse unencrypted connections.
const FORCE_TLS: readonly TlsRule[] = [
  { engine: /postgres/, parameter: "rds.force_ssl", values: ["1"] },
  { engine: /mysql|mariadb/, parameter: "require_secure_transport", values: ["1", "ON", "on", "true"] },
  { engine: /sqlserver/, parameter: "rds.force_ssl", values: ["1"] },
];

const INSTANCE_TYPE = typeOf(RdsInstance);
const CLUSTER_TYPE = typeOf(RdsCluster);
const PARAMETER_GROUP_TYPE = typeOf(ParameterGroup);
const CLUSTER_PARAMETER_GROUP_TYPE = typeOf(ClusterParameterGroup);

/** A database's engine; a read replica inherits its source's, found by identifier or ARN. */
function engineOf(resources: StackSubject[], db: StackSubject): unknown {
  const engine = get(db.props, "engine");
  const source = get(db.props, "replicateSourceDb");
  if (isSet(engine) || !isSet(source)) {
    return isUnknown(source) && engine === undefined ? source : engine;
  }
  const primary = resources.find(
    (r) => r.type === INSTANCE_TYPE && r !== db && [get(r.props, "identifier"), get(r.props, "arn")].includes(source),
  );
  return primary === undefined ? undefined : get(primary.props, "engine");
}

function checkForcedTls(resources: StackSubject[], db: StackSubject, report: Report): void {
  const label = awsLabel(db);
  const engine = engineOf(resources, db);
  if (!report.known(engine, `${label} engine`, db.urn)) {
    return;
  }
  const isCluster = db.type === CLUSTER_TYPE;
  if (!isCluster && isAuroraEngine(engine)) {
    return;
  }
  const rule = FORCE_TLS.find((r) => typeof engine === "string" && r.engine.test(engine));
  if (rule === undefined) {
    return;
  }
  const field = isCluster ? "dbClusterParameterGroupName" : "parameterGroupName";
  const groupKind = isCluster ? "ClusterParameterGroup" : "ParameterGroup";
  const fix = `create a ${groupKind} with ${rule.parameter} = ${rule.values[0]} and set ${field} to it`;
  const groups = linkedResources(
    resources,
    db,
    field,
    [isCluster ? CLUSTER_PARAMETER_GROUP_TYPE : PARAMETER_GROUP_TYPE],
    report,
    label,
  );
  if (groups === undefined) {
    return;
  }
  if (groups.length === 0) {
    const name = get(db.props, field);
    const which = isSet(name)
      ? `parameter group ${show(name)}, which this stack does not manage,`
      : "the engine's default parameter group, which";
    report.fail(
      `${label} must force TLS through its parameter group; it uses ${which} does not set ${rule.parameter}: ${fix}.`,
      db.urn,
    );
    return;
  }
  for (const group of groups) {
    const parameters = list(group.props, "parameters");
    if (!report.known(parameters, `${awsLabel(group)} parameters`, group.urn)) {
      continue;
    }
    const forced = parameters.some(
      (p) => get(p, "name") === rule.parameter && rule.values.includes(String(get(p, "value"))),
    );
    if (!forced) {
      report.fail(
        `${label} must force TLS through its parameter group; ${groupKind} "${group.name}" does not set ${rule.parameter} = ${rule.values[0]}: add that parameter.`,
        db.urn,
      );
    }
  }
}

export const rdsTlsEnforced = stackPolicy({
  name: "rds-tls-enforced",
  description:
    "Checks whether every RDS instance and Aurora cluster uses a parameter group of this stack that forces TLS (rds.force_ssl or require_secure_transport).",
  check: (resources, _config, report) => {
    for (const db of resources) {
      if (db.type === INSTANCE_TYPE || db.type === CLUSTER_TYPE) {
        checkForcedTls(resources, db, report);
      }
    }
  },
});

export interface BucketEncryptionConfig {
  /** Require SSE-KMS (aws:kms or aws:kms:dsse) rather than S3-managed keys (AES256). */
  requireKms: boolean;
}

const BUCKET_TYPES = [typeOf(Bucket), typeOf(BucketV2)];
const SSE_CONFIG_TYPES = [
  typeOf(BucketServerSideEncryptionConfiguration),
  typeOf(BucketServerSideEncryptionConfigurationV2),
];
const SSE_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];

/** The SSE algorithms a bucket declares inline, in either provider shape; undefined when unknown. */
function inlineAlgorithms(bucket: StackSubject, report: Report, label: string): unknown[] | undefined {
  if (bucket.type === typeOf(Bucket)) {
    const algorithm = get(
      bucket.props,
      "serverSideEncryptionConfiguration",
      "rule",
      "applyServerSideEncryptionByDefault",
      "sseAlgorithm",
    );
    if (!report.known(algorithm, `${label} serverSideEncryptionConfiguration`, bucket.urn)) {
      return undefined;
    }
    return algorithm === undefined ? [] : [algorithm];
  }
  const found: unknown[] = [];
  const configs = list(bucket.props, "serverSideEncryptionConfigurations");
  if (!report.known(configs, `${label} serverSideEncryptionConfigurations`, bucket.urn)) {
    return undefined;
  }
  for (const config of configs) {
    for (const rule of asList(get(config, "rules"))) {
      for (const byDefault of asList(get(rule, "applyServerSideEncryptionByDefaults"))) {
        found.push(get(byDefault, "sseAlgorithm"));
      }
    }
  }
  return found;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The SSE algorithms of the separate configuration resources that point at `bucket`. */
function attachedAlgorithms(resources: StackSubject[], bucket: StackSubject, report: Report): unknown[] {
  const found: unknown[] = [];
  for (const config of resources) {
    if (!SSE_CONFIG_TYPES.includes(config.type)) {
      continue;
    }
    const targets = linkedResources(
      resources,
      config,
      "bucket",
      BUCKET_TYPES,
      report,
      `Bucket encryption "${config.name}"`,
    );
    if (targets === undefined || !targets.some((t) => t.urn === bucket.urn)) {
      continue;
    }
    for (const rule of asList(get(config.props, "rules"))) {
      found.push(get(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm"));
    }
  }
  return found;
}

export const s3BucketEncrypted = stackPolicy<BucketEncryptionConfig>({
  name: "s3-bucket-encrypted",
  description:
    "Checks whether every S3 bucket declares default server-side encryption, inline or through a BucketServerSideEncryptionConfiguration, with KMS where the stack requires it.",
  defaults: { requireKms: false },
  configSchema: { properties: { requireKms: { type: "boolean", default: false } } },
  check: (resources, config, report) => {
    const allowed = config.requireKms ? SSE_ALGORITHMS.filter((a) => a !== "AES256") : SSE_ALGORITHMS;
    for (const bucket of resources) {
      if (!BUCKET_TYPES.includes(bucket.type)) {
        continue;
      }
      const label = `S3 bucket "${bucket.name}"`;
      const inline = inlineAlgorithms(bucket, report, label);
      if (inline === undefined) {
        continue;
      }
      const algorithms = [...inline, ...attachedAlgorithms(resources, bucket, report)];
      if (algorithms.some((a) => !report.known(a, `${label} sseAlgorithm`, bucket.urn))) {
        continue;
      }
      if (algorithms.length === 0) {
        report.fail(
          `${label} must declare default server-side encryption; add a BucketServerSideEncryptionConfiguration with sseAlgorithm ${config.requireKms ? '"aws:kms"' : '"aws:kms" or "AES256"'}.`,
          bucket.urn,
        );
      } else if (!algorithms.every((a) => typeof a === "string" && allowed.includes(a))) {
        report.fail(
          `${label} must encrypt with ${allowed.map(show).join(" or ")} (it declares ${algorithms.map(show).join(", ")}); change sseAlgorithm${config.requireKms ? " and set kmsMasterKeyId to the stack's KMS key" : ""}.`,
          bucket.urn,
        );
      }
    }
  },
});

const SNAPSHOT_TYPE = typeOf(RdsSnapshot);
const KMS_KEY_TYPE = typeOf(KmsKey);
// How an RDS instance and a snapshot name their KMS key: by ARN, key id or the key resource's id.
const KEY_REFERENCES = ["arn", "keyId", "id"];

/** A snapshot takes its instance's encryption: the instance must be encrypted with a KMS key of the stack. */
function checkSnapshotSource(
  resources: StackSubject[],
  snapshot: StackSubject,
  db: StackSubject,
  report: Report,
): void {
  const label = awsLabel(snapshot);
  const source = awsLabel(db);
  const encrypted = get(db.props, "storageEncrypted");
  if (report.known(encrypted, `${source} storageEncrypted`, db.urn) && encrypted !== true) {
    report.fail(
      `${label} must be encrypted at rest; its source ${source} sets storageEncrypted ${show(encrypted)} and a snapshot is encrypted only if its instance is: take snapshots of an encrypted instance.`,
      snapshot.urn,
    );
    return;
  }
  const keys = linkedResources(resources, db, "kmsKeyId", [KMS_KEY_TYPE], report, source, KEY_REFERENCES);
  if (keys === undefined || keys.length > 0) {
    return;
  }
  const key = get(db.props, "kmsKeyId");
  const which = isSet(key)
    ? `kmsKeyId ${show(key)}, which is not a KMS key of this stack`
    : "no kmsKeyId, that is the AWS-managed key";
  report.fail(
    `${label} must be encrypted with a customer KMS key of this stack; its source ${source} uses ${which}: give the instance the data tier's key in kmsKeyId.`,
    snapshot.urn,
  );
}

/**
 * Once AWS has taken the snapshot it reports its encryption; that must agree. A new snapshot's outputs are computed
 * at preview, where its source already answers for it, so they are read only when known.
 */
function checkSnapshotOutputs(resources: StackSubject[], snapshot: StackSubject, report: Report): void {
  const label = awsLabel(snapshot);
  const encrypted = get(snapshot.props, "encrypted");
  if (encrypted === false) {
    report.fail(`${label} must be encrypted at rest; AWS reports encrypted: false.`, snapshot.urn);
  }
  const key = get(snapshot.props, "kmsKeyId");
  if (isUnknown(key) || !isSet(key)) {
    return;
  }
  const ours = resources.some(
    (r) => r.type === KMS_KEY_TYPE && KEY_REFERENCES.some((ref) => get(r.props, ref) === key),
  );
  if (!ours) {
    report.fail(
      `${label} must be encrypted with a customer KMS key of this stack; AWS reports kmsKeyId ${show(key)}, which is not one.`,
      snapshot.urn,
    );
  }
}

export const rdsSnapshotEncrypted = stackPolicy({
  name: "rds-snapshot-encrypted",
  description:
    "Checks whether every manual RDS DB snapshot is taken of an RDS instance of this stack that is encrypted with a customer KMS key of this stack.",
  check: (resources, _config, report) => {
    for (const snapshot of resources) {
      if (snapshot.type !== SNAPSHOT_TYPE) {
        continue;
      }
      const label = awsLabel(snapshot);
      const field = "dbInstanceIdentifier";
      const sources = linkedResources(resources, snapshot, field, [INSTANCE_TYPE], report, label, ["identifier"]);
      if (sources === undefined) {
        continue;
      }
      if (sources.length === 0) {
        report.fail(
          `${label} must be taken of an RDS instance of this stack, so that its encryption can be checked; ${field} ${show(get(snapshot.props, field))} names none: snapshot the data tier's primary instance.`,
          snapshot.urn,
        );
        continue;
      }
      for (const db of sources) {
        checkSnapshotSource(resources, snapshot, db, report);
      }
      checkSnapshotOutputs(resources, snapshot, report);
    }
  },
});
