import * as assert from "assert";
import {
  ebsVolumeEncrypted,
  EKS_COMPONENT,
  eksSecretsEncrypted,
  elasticacheEncrypted,
  launchTemplateEbsEncrypted,
  rdsPerformanceInsightsEncrypted,
  rdsStorageEncrypted,
  secretsManagerSecretKms,
} from "../../policies/encryption";
import { typeOf } from "../../policies/lib/define";
import { auroraCluster, KEY_ARN, launchTemplate, rdsInstance, replicationGroup, T } from "./fixtures";
import { validateResource, withProp } from "./helpers";

const DB = 'RDS instance "orders-db"';

describe("#rds-storage-encrypted", () => {
  const check = (props: object, config = {}, type: string = T.rdsInstance) =>
    validateResource(rdsStorageEncrypted, { type, name: "orders-db", props }, config);

  it("passes an encrypted instance with a customer-managed key", () => {
    assert.deepStrictEqual(check(rdsInstance(), { requireCustomerManagedKey: true }), []);
  });

  it("fails when storageEncrypted is false", () => {
    assert.deepStrictEqual(check(withProp(rdsInstance(), "storageEncrypted", false)), [
      `${DB} must set storageEncrypted: true (it is false); encryption at rest can only be chosen when the database is created.`,
    ]);
  });

  it("fails when the stack requires a customer-managed key and none is set", () => {
    assert.deepStrictEqual(check(withProp(rdsInstance(), "kmsKeyId", undefined), { requireCustomerManagedKey: true }), [
      `${DB} must set kmsKeyId to a customer-managed KMS key on this stack; pass the stack's KMS key ARN.`,
    ]);
  });

  it("fails when the key is the AWS-managed alias", () => {
    assert.deepStrictEqual(
      check(withProp(rdsInstance(), "kmsKeyId", "alias/aws/rds"), { requireCustomerManagedKey: true }),
      [
        `${DB} must use a customer-managed KMS key, not the AWS-managed "alias/aws/rds"; pass the stack's KMS key ARN in kmsKeyId.`,
      ],
    );
  });

  it("accepts the AWS-managed key where the stack does not require its own", () => {
    assert.deepStrictEqual(check(withProp(rdsInstance(), "kmsKeyId", undefined)), []);
  });

  it("fails when an Aurora cluster is not encrypted", () => {
    assert.deepStrictEqual(check(withProp(auroraCluster(), "storageEncrypted", undefined), {}, T.rdsCluster), [
      'Aurora cluster "orders-db" must set storageEncrypted: true (it is unset); encryption at rest can only be chosen when the database is created.',
    ]);
  });

  it("leaves Aurora instances to their cluster", () => {
    assert.deepStrictEqual(check({ engine: "aurora-postgresql", instanceClass: "db.r5.large" }), []);
  });
});

describe("#rds-performance-insights-encrypted", () => {
  const check = (props: object, type: string = T.rdsInstance) =>
    validateResource(rdsPerformanceInsightsEncrypted, { type, name: "orders-db", props });

  it("passes Performance Insights with a KMS key", () => assert.deepStrictEqual(check(rdsInstance()), []));
  it("passes Performance Insights turned off", () => {
    assert.deepStrictEqual(
      check(
        withProp(
          withProp(rdsInstance(), "performanceInsightsEnabled", false),
          "performanceInsightsKmsKeyId",
          undefined,
        ),
      ),
      [],
    );
  });
  it("fails when Performance Insights has no KMS key", () => {
    assert.deepStrictEqual(check(withProp(rdsInstance(), "performanceInsightsKmsKeyId", undefined)), [
      `${DB} must set performanceInsightsKmsKeyId when Performance Insights is enabled; pass the stack's KMS key ARN (query text can hold customer data).`,
    ]);
  });
  it("checks Aurora cluster instances", () => {
    assert.strictEqual(check({ performanceInsightsEnabled: true }, T.rdsClusterInstance).length, 1);
  });
});

describe("#elasticache-encrypted", () => {
  const RG = 'ElastiCache replication group "cache"';
  const check = (props: object, config = {}) =>
    validateResource(elasticacheEncrypted, { type: T.replicationGroup, name: "cache", props }, config);

  it("passes encryption at rest and in transit with an AUTH token", () => {
    assert.deepStrictEqual(check(replicationGroup(), { requireCustomerManagedKey: true }), []);
  });
  it("passes RBAC user groups instead of a token", () => {
    assert.deepStrictEqual(
      check(withProp(withProp(replicationGroup(), "authToken", undefined), "userGroupIds", ["slipway"])),
      [],
    );
  });
  it("fails when encryption at rest is off", () => {
    assert.deepStrictEqual(check(withProp(replicationGroup(), "atRestEncryptionEnabled", false)), [
      `${RG} must set atRestEncryptionEnabled: true (it is false); set it when the group is created.`,
    ]);
  });
  it("fails when encryption in transit is off", () => {
    assert.deepStrictEqual(check(withProp(replicationGroup(), "transitEncryptionEnabled", undefined)), [
      `${RG} must set transitEncryptionEnabled: true (it is unset); clients must connect with TLS.`,
    ]);
  });
  it("fails when TLS is only preferred", () => {
    assert.deepStrictEqual(check(withProp(replicationGroup(), "transitEncryptionMode", "preferred")), [
      `${RG} must set transitEncryptionMode: "required" (it is "preferred", which still accepts plaintext clients).`,
    ]);
  });
  it("fails when no authentication is required", () => {
    assert.deepStrictEqual(check(withProp(replicationGroup(), "authToken", undefined)), [
      `${RG} must require authentication; set authToken (a Pulumi secret) or userGroupIds for RBAC.`,
    ]);
  });
  it("fails when the stack requires a customer-managed key and none is set", () => {
    assert.deepStrictEqual(
      check(withProp(replicationGroup(), "kmsKeyId", undefined), { requireCustomerManagedKey: true }),
      [`${RG} must set kmsKeyId to a customer-managed KMS key on this stack; pass the stack's KMS key ARN.`],
    );
  });
});

describe("#ebs-volume-encrypted", () => {
  const check = (props: object, config = {}) =>
    validateResource(ebsVolumeEncrypted, { type: T.volume, name: "data", props }, config);
  it("passes an encrypted volume", () =>
    assert.deepStrictEqual(
      check({ size: 100, encrypted: true, kmsKeyId: KEY_ARN }, { requireCustomerManagedKey: true }),
      [],
    ));
  it("fails when the volume is not encrypted", () => {
    assert.deepStrictEqual(check({ size: 100 }), [
      'EBS volume "data" must set encrypted: true (it is unset); a volume cannot be encrypted after it is created.',
    ]);
  });
  it("fails when the stack requires a customer-managed key and none is set", () => {
    assert.deepStrictEqual(check({ size: 100, encrypted: true }, { requireCustomerManagedKey: true }), [
      'EBS volume "data" must set kmsKeyId to a customer-managed KMS key on this stack; pass the stack\'s KMS key ARN.',
    ]);
  });
});

describe("#launch-template-ebs-encrypted", () => {
  const LT = 'Launch template "nodes"';
  const check = (props: object) =>
    validateResource(launchTemplateEbsEncrypted, { type: T.launchTemplate, name: "nodes", props });
  it("passes an encrypted root volume", () => assert.deepStrictEqual(check(launchTemplate()), []));
  it("fails when a block device is not encrypted", () => {
    assert.deepStrictEqual(check(withProp(launchTemplate(), "blockDeviceMappings.0.ebs.encrypted", "false")), [
      `${LT} must set blockDeviceMappings[0] ("/dev/xvda") ebs.encrypted: "true" (it is "false").`,
    ]);
  });
  it("fails when the template declares no EBS volume", () => {
    assert.deepStrictEqual(check({ imageId: "ami-123" }), [
      `${LT} must declare its root volume in blockDeviceMappings with ebs.encrypted: "true"; otherwise the AMI's volume is encrypted only if the account turns on EBS encryption by default.`,
    ]);
  });
});

describe("#eks-secrets-encrypted", () => {
  it("names the type token @pulumi/eks registers for its Cluster component (the pack does not load @pulumi/eks)", () => {
    const { Cluster } = require("@pulumi/eks") as typeof import("@pulumi/eks");
    assert.strictEqual(EKS_COMPONENT, typeOf(Cluster));
    assert.ok(eksSecretsEncrypted.types.has(EKS_COMPONENT));
  });
  it("passes an eks Cluster component with encryptionConfigKeyArn", () => {
    assert.deepStrictEqual(
      validateResource(eksSecretsEncrypted, {
        type: T.eks,
        name: "cluster",
        props: { encryptionConfigKeyArn: KEY_ARN },
      }),
      [],
    );
  });
  it("fails when the eks Cluster component has no encryptionConfigKeyArn", () => {
    assert.deepStrictEqual(
      validateResource(eksSecretsEncrypted, { type: T.eks, name: "cluster", props: { version: "1.31" } }),
      ['EKS cluster "cluster" must set encryptionConfigKeyArn to a KMS key ARN so Kubernetes secrets are encrypted.'],
    );
  });
  const awsCluster = { encryptionConfig: { resources: ["secrets"], provider: { keyArn: KEY_ARN } } };
  it("passes an aws.eks.Cluster encrypting secrets", () => {
    assert.deepStrictEqual(
      validateResource(eksSecretsEncrypted, { type: T.awsEks, name: "cluster", props: awsCluster }),
      [],
    );
  });
  it("fails when an aws.eks.Cluster has no encryptionConfig", () => {
    assert.deepStrictEqual(validateResource(eksSecretsEncrypted, { type: T.awsEks, name: "cluster", props: {} }), [
      'EKS cluster "cluster" must set encryptionConfig { resources: ["secrets"], provider: { keyArn } } with a KMS key ARN so Kubernetes secrets are encrypted.',
    ]);
  });
});

describe("#secretsmanager-secret-kms", () => {
  it("passes a secret under the stack's key", () => {
    assert.deepStrictEqual(
      validateResource(secretsManagerSecretKms, { type: T.secret, name: "db", props: { kmsKeyId: KEY_ARN } }),
      [],
    );
  });
  it("fails when the secret uses the default key", () => {
    assert.deepStrictEqual(validateResource(secretsManagerSecretKms, { type: T.secret, name: "db", props: {} }), [
      'Secrets Manager secret "db" must set kmsKeyId to a customer-managed KMS key on this stack; pass the stack\'s KMS key ARN.',
    ]);
  });
});
