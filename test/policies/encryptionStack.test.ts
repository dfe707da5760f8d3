import * as assert from "assert";
import { rdsTlsEnforced, s3BucketEncrypted } from "../../policies/encryption";
import { auroraCluster, KEY_ARN, parameterGroup, rdsInstance, T } from "./fixtures";
import { urn, validateStack, withProp } from "./helpers";

const DB = 'RDS instance "orders-db"';

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
