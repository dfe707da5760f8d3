// Realistic preview and refresh results for the renderers.
import type { DriftResult, PolicyViolation, PreviewResult } from "../../../automation/types";

const urn = (stack: string, type: string, name: string) => `urn:pulumi:${stack}::slipway::${type}::${name}`;

export const violation = (over: Partial<PolicyViolation>): PolicyViolation => ({
  policyPack: "slipway-policies",
  policyName: "k8s-resource-limits",
  level: "mandatory",
  message: "Deployment must set CPU and memory limits on every container.",
  unverifiable: false,
  ...over,
});

export const devPreview: PreviewResult = {
  stack: "dev",
  durationMs: 4210,
  counts: { create: 2, update: 1, replace: 1, delete: 1, same: 40 },
  changes: [
    {
      urn: urn("dev", "kubernetes:apps/v1:Deployment", "api-gateway-canary"),
      type: "kubernetes:apps/v1:Deployment",
      name: "api-gateway-canary",
      op: "create",
      properties: [],
    },
    {
      urn: urn("dev", "kubernetes:core/v1:Service", "api-gateway-canary"),
      type: "kubernetes:core/v1:Service",
      name: "api-gateway-canary",
      op: "create",
      properties: [],
    },
    {
      urn: urn("dev", "kubernetes:split.smi-spec.io/v1alpha4:TrafficSplit", "api-gateway"),
      type: "kubernetes:split.smi-spec.io/v1alpha4:TrafficSplit",
      name: "api-gateway",
      op: "update",
      properties: ["spec"],
    },
    {
      urn: urn("dev", "aws:rds/instance:Instance", "data-db"),
      type: "aws:rds/instance:Instance",
      name: "data-db",
      op: "replace",
      properties: ["engineVersion", "storageEncrypted"],
    },
    {
      urn: urn("dev", "aws:elasticache/replicationGroup:ReplicationGroup", "data-cache"),
      type: "aws:elasticache/replicationGroup:ReplicationGroup",
      name: "data-cache",
      op: "delete",
      properties: [],
    },
  ],
  violations: [
    violation({
      level: "advisory",
      policyName: "k8s-read-only-root",
      message: "Deployment should mount the root filesystem read-only.",
      urn: urn("dev", "kubernetes:apps/v1:Deployment", "api-gateway-canary"),
      resourceType: "kubernetes:apps/v1:Deployment",
      resourceName: "api-gateway-canary",
    }),
    violation({
      urn: urn("dev", "kubernetes:apps/v1:Deployment", "api-gateway-canary"),
      resourceType: "kubernetes:apps/v1:Deployment",
      resourceName: "api-gateway-canary",
    }),
    violation({
      level: "mandatory",
      policyName: "rds-storage-encrypted",
      unverifiable: true,
      message: "not verifiable at preview: storageEncrypted is computed",
      urn: urn("dev", "aws:rds/instance:Instance", "data-db"),
      resourceType: "aws:rds/instance:Instance",
      resourceName: "data-db",
    }),
  ],
};

export const prodPreview: PreviewResult = { stack: "prod", durationMs: 900, counts: {}, changes: [], violations: [] };

export const drift: DriftResult[] = [
  {
    stack: "staging",
    durationMs: 2500,
    drifted: [
      {
        urn: urn("staging", "kubernetes:apps/v1:Deployment", "api-gateway-stable"),
        type: "kubernetes:apps/v1:Deployment",
        name: "api-gateway-stable",
        op: "update",
        properties: ["spec.replicas", "metadata.labels"],
        values: {
          "spec.replicas": { old: 3, new: 5 },
          "metadata.labels": { old: { team: "pricing" }, new: { team: "pricing", hotfix: "yes" } },
        },
      },
      {
        urn: urn("staging", "aws:rds/instance:Instance", "data-db"),
        type: "aws:rds/instance:Instance",
        name: "data-db",
        op: "update",
        properties: ["password", "backupRetentionPeriod", "tags"],
        values: {
          password: { old: "hunter2-old", new: "hunter2-new" },
          backupRetentionPeriod: { old: 7 },
          tags: {
            old: { a: "1" },
            new: {
              a: "1",
              apiToken: "s3cr3t",
              wrapped: {
                "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                value: "plain-secret",
              },
            },
          },
        },
      },
    ],
  },
  { stack: "prod", durationMs: 1200, drifted: [] },
];
