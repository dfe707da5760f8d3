// Manual RDS snapshots: taken of an encrypted instance of the stack, under a KMS key of the stack.
import { Key as KmsKey } from "@pulumi/aws/kms";
import { Instance as RdsInstance, Snapshot as RdsSnapshot } from "@pulumi/aws/rds";
import { awsLabel, linkedResources } from "./lib/aws";
import { stackPolicy, StackSubject, typeOf } from "./lib/define";
import { Report } from "./lib/report";
import { get, isSet, isUnknown, show } from "./lib/values";

const INSTANCE_TYPE = typeOf(RdsInstance);
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
