import * as assert from "assert";
import { rdsSnapshotEncrypted } from "../../policies/encryption";
import { KEY_ARN, rdsInstance, T } from "./fixtures";
import { COMPUTED, urn, validateStack, withProp } from "./helpers";

const DB = 'RDS instance "orders-db"';
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

describe("#rds-snapshot-encrypted: compliant snapshots", () => {
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
});

describe("#rds-snapshot-encrypted: refused snapshots", () => {
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
