// Encryption at rest: every data store under KMS, a customer-managed key where the stack asks for one.
import { Volume } from "@pulumi/aws/ebs";
import { LaunchTemplate } from "@pulumi/aws/ec2";
import { Cluster as AwsEksCluster } from "@pulumi/aws/eks";
import { ReplicationGroup } from "@pulumi/aws/elasticache";
import { Cluster as RdsCluster, ClusterInstance, Instance as RdsInstance } from "@pulumi/aws/rds";
import { Secret } from "@pulumi/aws/secretsmanager";
import {
  awsLabel,
  checkCustomerKey,
  EKS_COMPONENT,
  isAuroraEngine,
  KEY_DEFAULTS,
  KEY_SCHEMA,
  KeyConfig,
  requireTrue,
} from "./lib/aws";
import { resourcePolicy, ResourceSubject, typeOf } from "./lib/define";
import { Report } from "./lib/report";
import { get, isSet, isUnknown, list, show } from "./lib/values";

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
