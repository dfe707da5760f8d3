// What the AWS policies share: resource labels, the customer-managed key setting and its check, and how a stack
// policy follows one resource's reference to another (by property dependency, else by name).
import { Volume } from "@pulumi/aws/ebs";
import { LaunchTemplate } from "@pulumi/aws/ec2";
import { Cluster as AwsEksCluster } from "@pulumi/aws/eks";
import { ReplicationGroup } from "@pulumi/aws/elasticache";
import {
  Cluster as RdsCluster,
  ClusterInstance,
  ClusterParameterGroup,
  Instance as RdsInstance,
  ParameterGroup,
  Snapshot as RdsSnapshot,
} from "@pulumi/aws/rds";
import { Secret } from "@pulumi/aws/secretsmanager";
import { PolicyConfigSchema } from "@pulumi/policy";
import { ResourceSubject, StackSubject, typeOf } from "./define";
import { Report } from "./report";
import { get, isSet, show } from "./values";

/**
 * The type token of @pulumi/eks's Cluster component. The pack names it instead of importing the class: loading
 * @pulumi/eks costs about 0.3 s on every pack start, that is on every preview and canary step.
 */
export const EKS_COMPONENT = "eks:index:Cluster";

export interface KeyConfig {
  /** Require a customer-managed KMS key (not the AWS-managed default) for data at rest. */
  requireCustomerManagedKey: boolean;
}

export const KEY_DEFAULTS: KeyConfig = { requireCustomerManagedKey: false };
export const KEY_SCHEMA: PolicyConfigSchema = {
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
export function requireTrue(subject: ResourceSubject, field: string, fix: string, report: Report): void {
  const label = awsLabel(subject);
  const value = get(subject.props, field);
  if (report.known(value, `${label} ${field}`) && value !== true) {
    report.fail(`${label} must set ${field}: true (it is ${show(value)}); ${fix}`);
  }
}

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
