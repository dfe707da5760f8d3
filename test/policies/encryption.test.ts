import * as assert from "assert";
import {
  ebsVolumeEncrypted,
  EKS_COMPONENT,
  eksSecretsEncrypted,
  elasticacheEncrypted,
  launchTemplateEbsEncrypted,
  rdsPerformanceInsightsEncrypted,
  rdsSnapshotEncrypted,
  rdsStorageEncrypted,
  rdsTlsEnforced,
  s3BucketEncrypted,
  secretsManagerSecretKms,
} from "../../policies/encryption";
import { typeOf } from "../../policies/lib/define";
import { auroraCluster, KEY_ARN, launchTemplate, parameterGroup, rdsInstance, replicationGroup, T } from "./fixtures";
import { COMPUTED, urn, validateResource, validateStack, withProp } from "./helpers";

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

describe("#rds-tls-enforced", () => {
  const db = { type: T.rdsInstance, name: "orders-db", props: rdsInstance() };
  const group = { type: T.parameterGroup, name: "pg", props: parameterGroup() };

  it("passes an instance whose parameter group sets rds.force_ssl = 1", () => {
    assert.deepStrictEqual(validateStack(rdsTlsEnforced, [db, group]), []);
  });
  it("follows the property dependency when the group's name is computed", () => {
    const computed = {
      ...db,
      props: withProp(rdsInstance(), "parameterGroupName", "pg-0a1b2c3"),
      dependsOn: { parameterGroupName: ["pg"] },
    };
    assert.deepStrictEqual(validateStack(rdsTlsEnforced, [computed, group]), []);
  });
  it("fails when the instance uses the default parameter group", () => {
    assert.deepStrictEqual(
      validateStack(rdsTlsEnforced, [{ ...db, props: withProp(rdsInstance(), "parameterGroupName", undefined) }]),
      [
        {
          message: `${DB} must force TLS through its parameter group; it uses the engine's default parameter group, which does not set rds.force_ssl: create a ParameterGroup with rds.force_ssl = 1 and set parameterGroupName to it.`,
          urn: urn(T.rdsInstance, "orders-db"),
        },
      ],
    );
  });
  it("fails when the parameter group does not force TLS", () => {
    const weak = { ...group, props: parameterGroup("slipway-postgres16", [{ name: "rds.force_ssl", value: "0" }]) };
    assert.deepStrictEqual(
      validateStack(rdsTlsEnforced, [db, weak]).map((v) => v.message),
      [
        `${DB} must force TLS through its parameter group; ParameterGroup "pg" does not set rds.force_ssl = 1: add that parameter.`,
      ],
    );
  });
  it("checks read replicas with their source's engine", () => {
    const replica = {
      type: T.rdsInstance,
      name: "replica",
      props: { identifier: "replica", replicateSourceDb: "orders" },
    };
    const primary = { ...db, props: withProp(rdsInstance(), "identifier", "orders") };
    assert.deepStrictEqual(
      validateStack(rdsTlsEnforced, [primary, group, replica]).map((v) => v.message),
      [
        'RDS instance "replica" must force TLS through its parameter group; it uses the engine\'s default parameter group, which does not set rds.force_ssl: create a ParameterGroup with rds.force_ssl = 1 and set parameterGroupName to it.',
      ],
    );
  });
  it("fails when an Aurora MySQL cluster does not require secure transport", () => {
    const cluster = {
      type: T.rdsCluster,
      name: "ledger",
      props: { ...auroraCluster(), engine: "aurora-mysql", dbClusterParameterGroupName: "ledger-params" },
    };
    const params = {
      type: T.clusterParameterGroup,
      name: "cpg",
      props: { name: "ledger-params", parameters: [{ name: "time_zone", value: "UTC" }] },
    };
    assert.deepStrictEqual(
      validateStack(rdsTlsEnforced, [cluster, params]).map((v) => v.message),
      [
        'Aurora cluster "ledger" must force TLS through its parameter group; ClusterParameterGroup "cpg" does not set require_secure_transport = 1: add that parameter.',
      ],
    );
  });
});

describe("#s3-bucket-encrypted", () => {
  const bucket = { type: T.bucket, name: "artifacts", props: { bucket: "slipway-artifacts" } };
  const sse = (algorithm: string) => ({
    type: T.sseConfig,
    name: "artifacts-sse",
    props: {
      bucket: "slipway-artifacts",
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: algorithm, kmsMasterKeyId: KEY_ARN } }],
    },
  });

  it("passes a bucket with a separate SSE-KMS configuration", () => {
    assert.deepStrictEqual(validateStack(s3BucketEncrypted, [bucket, sse("aws:kms")], { requireKms: true }), []);
  });
  it("passes a bucket with inline encryption", () => {
    const inline = {
      ...bucket,
      props: {
        bucket: "b",
        serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } } },
      },
    };
    assert.deepStrictEqual(validateStack(s3BucketEncrypted, [inline]), []);
  });
  it("passes a BucketV2 with inline rules and a V2 configuration linked by dependency", () => {
    const v2 = { type: T.bucketV2, name: "logs", props: { bucket: "computed-name" } };
    const config = {
      type: T.sseConfigV2,
      name: "logs-sse",
      props: { bucket: "other", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] },
      dependsOn: { bucket: ["logs"] },
    };
    assert.deepStrictEqual(validateStack(s3BucketEncrypted, [v2, config]), []);
  });
  it("fails when a bucket declares no encryption", () => {
    assert.deepStrictEqual(validateStack(s3BucketEncrypted, [bucket]), [
      {
        message:
          'S3 bucket "artifacts" must declare default server-side encryption; add a BucketServerSideEncryptionConfiguration with sseAlgorithm "aws:kms" or "AES256".',
        urn: urn(T.bucket, "artifacts"),
      },
    ]);
  });
  it("fails when the stack requires KMS and the bucket uses AES256", () => {
    assert.deepStrictEqual(
      validateStack(s3BucketEncrypted, [bucket, sse("AES256")], { requireKms: true }).map((v) => v.message),
      [
        'S3 bucket "artifacts" must encrypt with "aws:kms" or "aws:kms:dsse" (it declares "AES256"); change sseAlgorithm and set kmsMasterKeyId to the stack\'s KMS key.',
      ],
    );
  });
});

describe("#rds-snapshot-encrypted", () => {
  const SNAP = 'RDS snapshot "release-1-5-0"';
  const key = {
    type: T.kmsKey,
    name: "data-key",
    props: { arn: KEY_ARN, keyId: "1234abcd-12ab-34cd-56ef-1234567890ab" },
  };
  const db = { type: T.rdsInstance, name: "orders-db", props: { ...rdsInstance(), identifier: "slipway-prod-db" } };
  const snapshot = (props: object = {}) => ({
    type: T.rdsSnapshot,
    name: "release-1-5-0",
    props: { dbInstanceIdentifier: "slipway-prod-db", dbSnapshotIdentifier: "slipway-prod-release-1-5-0", ...props },
  });
  const messages = (resources: Parameters<typeof validateStack>[1]) =>
    validateStack(rdsSnapshotEncrypted, resources).map((v) => v.message);

  it("passes a snapshot of an instance encrypted with a KMS key of the stack", () => {
    assert.deepStrictEqual(messages([key, db, snapshot()]), []);
  });
  it("passes once AWS reports the snapshot encrypted with that key", () => {
    assert.deepStrictEqual(messages([key, db, snapshot({ encrypted: true, kmsKeyId: KEY_ARN })]), []);
  });
  it("follows property dependencies when the identifier and the key are computed", () => {
    const computedDb = {
      ...db,
      props: withProp(db.props, "kmsKeyId", COMPUTED),
      dependsOn: { kmsKeyId: ["data-key"] },
    };
    const snap = {
      ...snapshot({ dbInstanceIdentifier: COMPUTED }),
      dependsOn: { dbInstanceIdentifier: ["orders-db"] },
    };
    assert.deepStrictEqual(messages([key, computedDb, snap]), []);
  });
  it("blames the snapshot", () => {
    const unencrypted = { ...db, props: withProp(db.props, "storageEncrypted", false) };
    assert.deepStrictEqual(
      validateStack(rdsSnapshotEncrypted, [key, unencrypted, snapshot()]).map((v) => v.urn),
      [urn(T.rdsSnapshot, "release-1-5-0")],
    );
  });
  it("fails when the source instance is not encrypted", () => {
    const unencrypted = { ...db, props: withProp(db.props, "storageEncrypted", false) };
    assert.deepStrictEqual(messages([key, unencrypted, snapshot()]), [
      `${SNAP} must be encrypted at rest; its source ${DB} sets storageEncrypted false and a snapshot is encrypted only if its instance is: take snapshots of an encrypted instance.`,
    ]);
  });
  it("fails when the source instance uses the AWS-managed key", () => {
    const awsManaged = { ...db, props: withProp(db.props, "kmsKeyId", undefined) };
    assert.deepStrictEqual(messages([key, awsManaged, snapshot()]), [
      `${SNAP} must be encrypted with a customer KMS key of this stack; its source ${DB} uses no kmsKeyId, that is the AWS-managed key: give the instance the data tier's key in kmsKeyId.`,
    ]);
  });
  it("fails when the source instance's key is not a key of the stack", () => {
    const foreign = "arn:aws:kms:eu-west-1:444455556666:key/ffff";
    const other = { ...db, props: withProp(db.props, "kmsKeyId", foreign) };
    assert.deepStrictEqual(messages([key, other, snapshot()]), [
      `${SNAP} must be encrypted with a customer KMS key of this stack; its source ${DB} uses kmsKeyId "${foreign}", which is not a KMS key of this stack: give the instance the data tier's key in kmsKeyId.`,
    ]);
  });
  it("fails when the snapshot is not of an instance of the stack", () => {
    assert.deepStrictEqual(messages([key, db, snapshot({ dbInstanceIdentifier: "someone-elses-db" })]), [
      `${SNAP} must be taken of an RDS instance of this stack, so that its encryption can be checked; dbInstanceIdentifier "someone-elses-db" names none: snapshot the data tier's primary instance.`,
    ]);
  });
  it("fails when AWS reports the snapshot unencrypted or under another key", () => {
    assert.deepStrictEqual(messages([key, db, snapshot({ encrypted: false, kmsKeyId: "arn:aws:kms:x:1:key/other" })]), [
      `${SNAP} must be encrypted at rest; AWS reports encrypted: false.`,
      `${SNAP} must be encrypted with a customer KMS key of this stack; AWS reports kmsKeyId "arn:aws:kms:x:1:key/other", which is not one.`,
    ]);
  });
  it("lists a source key computed during the update as not verifiable, and passes nothing it cannot see", () => {
    const computedDb = { ...db, props: withProp(db.props, "kmsKeyId", COMPUTED) };
    const report = rdsSnapshotEncrypted.inspect(
      [key, computedDb, snapshot()].map((r) => ({ ...r, urn: urn(r.type, r.name) })),
    );
    assert.deepStrictEqual(report.violations, []);
    assert.deepStrictEqual(
      report.unverifiable.map((u) => u.what),
      [`${DB} kmsKeyId`],
    );
  });
});
