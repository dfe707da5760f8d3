// The data tier with `restoreFrom` (slipway rollback --restore-database): a new instance from the release's snapshot,
// as protected as the primary and passing the pack's encryption and data-protection policies; the primary is kept;
// the services' connection settings point at the restored instance.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { rdsBackupRetention, rdsDeletionProtection, rdsNotPubliclyAccessible } from "../../policies/dataProtection";
import { rdsPerformanceInsightsEncrypted, rdsStorageEncrypted, rdsTlsEnforced } from "../../policies/encryption";
import type { MockRecord } from "../helpers/mocks";
import { promiseOf } from "../helpers/mocks";
import { validateResource, validateStack } from "../policies/helpers";
import { aws, build, failure } from "./fixtures";

const RESTORE = { snapshotId: "slipway-test-release-1-4-0", release: "1.4.0" };
const args = (restoreFrom?: typeof RESTORE) => ({
  vpcId: "vpc-1",
  subnetIds: ["d1", "d2", "d3"],
  clientSecurityGroupId: "sg-nodes",
  prefix: "slipway-test",
  database: {
    instanceClass: "db.r5.large",
    engineVersion: "16.4",
    allocatedStorageGb: 100,
    multiAz: true,
    readReplicas: 1,
    backupRetentionDays: 30,
    deletionProtection: false,
  },
  cache: { nodeType: "cache.m5.large", clusterMode: false, shards: 1, replicasPerShard: 1 },
  restoreFrom,
});
const DB = "aws:rds/instance:Instance";
const PROD_PACK = JSON.parse(fs.readFileSync(path.join(__dirname, "../../policies/config/prod.json"), "utf8"));
const packConfig = (policy: string) => (typeof PROD_PACK[policy] === "object" ? PROD_PACK[policy] : {});

describe("DataTier restoreFrom: the restored instance", () => {
  let m: MockRecord;
  let connection: Promise<Record<string, string>>;
  before(async () => {
    m = await build(() => {
      const tier = new (aws().DataTier)("data", args(RESTORE));
      connection = promiseOf(tier.connection);
    });
  });

  it("builds a NEW instance from the snapshot, keyed by the release, retained should it leave the program", () => {
    const r = m.one(DB, "data-db-restored-1-4-0");
    assert.equal(r.inputs.snapshotIdentifier, RESTORE.snapshotId);
    assert.equal(r.inputs.identifier, "slipway-test-db-restored-1-4-0");
    assert.equal(r.retainOnDelete, true);
    assert.equal(r.inputs.tags["slipway.dev/restored-from"], RESTORE.snapshotId);
  });

  it("encrypts it with the data-tier key, keeps it private, deletion-protected and backed up", () => {
    const r = m.one(DB, "data-db-restored-1-4-0").inputs;
    const key = m.one("aws:kms/key:Key").state.arn;
    assert.deepEqual(
      [r.storageEncrypted, r.kmsKeyId, r.performanceInsightsKmsKeyId, r.publiclyAccessible],
      [true, key, key, false],
    );
    assert.deepEqual([r.deletionProtection, r.backupRetentionPeriod, r.skipFinalSnapshot], [true, 30, false]);
  });

  it("puts it in the primary's subnets, security group and TLS-forcing parameter group", () => {
    const r = m.one(DB, "data-db-restored-1-4-0").inputs;
    const primary = m.one(DB, "data-db").inputs;
    assert.equal(r.dbSubnetGroupName, m.one("aws:rds/subnetGroup:SubnetGroup").state.name);
    assert.equal(r.parameterGroupName, m.one("aws:rds/parameterGroup:ParameterGroup").state.name);
    assert.deepEqual(
      [r.dbSubnetGroupName, r.parameterGroupName, r.vpcSecurityGroupIds],
      [primary.dbSubnetGroupName, primary.parameterGroupName, primary.vpcSecurityGroupIds],
    );
  });

  it("keeps the old primary (retained on delete) and points the services' connection at the restored one", async () => {
    assert.equal(m.one(DB, "data-db").retainOnDelete, true);
    const c = await connection;
    const restored = m.one(DB, "data-db-restored-1-4-0").state;
    assert.equal(c.DATABASE_HOST, restored.address);
    assert.notEqual(c.DATABASE_HOST, m.one(DB, "data-db").state.address);
    assert.equal(c.DATABASE_READER_HOSTS, restored.address, "the replicas follow the old primary's data");
  });

  it("passes the pack's encryption and data-protection policies under prod's config", () => {
    const r = m.one(DB, "data-db-restored-1-4-0");
    const subject = { type: DB, name: r.name, props: r.inputs };
    for (const policy of [
      rdsStorageEncrypted,
      rdsPerformanceInsightsEncrypted,
      rdsNotPubliclyAccessible,
      rdsBackupRetention,
      rdsDeletionProtection,
    ])
      assert.deepEqual(validateResource(policy, subject, packConfig(policy.name)), [], policy.name);
    const pg = m.one("aws:rds/parameterGroup:ParameterGroup");
    const group = { type: pg.type, name: pg.name, props: pg.state };
    const db = subject;
    assert.deepEqual(validateStack(rdsTlsEnforced, [db, group]), []);
  });
});

describe("DataTier restoreFrom: without one, and refusals", () => {
  it("builds no restored instance without restoreFrom, and connects to the primary", async () => {
    let connection: Promise<Record<string, string>> | undefined;
    const m = await build(() => {
      connection = promiseOf(new (aws().DataTier)("data", args()).connection);
    });
    assert.deepEqual(
      m.ofType(DB).map((r) => r.name),
      ["data-db", "data-db-replica-1"],
    );
    assert.equal((await connection!).DATABASE_HOST, m.one(DB, "data-db").state.address);
    assert.equal(m.one(DB, "data-db").retainOnDelete, false);
  });

  it("refuses a snapshot id RDS would not take, naming the fix", () => {
    const err = failure(() => new (aws().DataTier)("data", args({ snapshotId: "Not_An_Id", release: "1.4.0" })));
    assert.match(err.message, /restoreFrom .* names no RDS snapshot or instance RDS accepts; give the snapshot id/);
  });
});
