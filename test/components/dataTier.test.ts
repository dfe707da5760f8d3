// The data tier: encryption, TLS and access of the database, the cache and the buckets, and the release snapshot.
import { strict as assert } from "assert";
import type { MockRecord } from "../helpers/mocks";
import { aws, build, failure } from "./fixtures";

const dataArgs = {
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
    deletionProtection: true,
  },
  cache: { nodeType: "cache.m5.large", clusterMode: false, shards: 1, replicasPerShard: 1 },
};

/** The data tier without a release, built once for the blocks below. */
let built: Promise<MockRecord> | undefined;
const dataTier = () => (built ??= build(() => new (aws().DataTier)("data", dataArgs)));

describe("DataTier: encryption and access", () => {
  let m: MockRecord;
  before(async () => {
    m = await dataTier();
  });

  it("encrypts RDS with the data-tier KMS key and keeps the master password in Secrets Manager", () => {
    const db = m.one("aws:rds/instance:Instance", "data-db").inputs;
    assert.equal(db.kmsKeyId, m.one("aws:kms/key:Key").state.arn);
    assert.equal(db.manageMasterUserPassword, true);
    assert.equal(db.password, undefined);
    assert.equal(db.publiclyAccessible, false);
  });
  it("forces TLS on PostgreSQL through the parameter group", () => {
    const pg = m.one("aws:rds/parameterGroup:ParameterGroup").inputs;
    assert.deepEqual(
      pg.parameters.map((p: any) => [p.name, p.value]),
      [["rds.force_ssl", "1"]],
    );
    assert.equal(pg.family, "postgres16");
  });
  it("encrypts Redis at rest and in transit and signs users in through a user group", () => {
    const rg = m.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs;
    assert.equal(rg.atRestEncryptionEnabled, true);
    assert.equal(rg.transitEncryptionEnabled, true);
    assert.deepEqual(rg.userGroupIds, ["slipway-test-redis"]);
  });
  it("admits only the cluster's nodes to the database and the cache", () => {
    for (const sg of m.ofType("aws:ec2/securityGroup:SecurityGroup")) {
      assert.deepEqual(
        sg.inputs.ingress.map((i: any) => i.securityGroups),
        [["sg-nodes"]],
      );
      assert.equal(sg.inputs.ingress[0].cidrBlocks, undefined);
    }
  });
  it("versions the buckets, blocks public access and refuses plain HTTP", () => {
    assert.equal(
      m
        .ofType("aws:s3/bucketVersioning:BucketVersioning")
        .every((v) => v.inputs.versioningConfiguration.status === "Enabled"),
      true,
    );
    assert.equal(
      m
        .ofType("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
        .every((b) => b.inputs.blockPublicPolicy && b.inputs.restrictPublicBuckets),
      true,
    );
    assert.equal(m.ofType("aws:s3/bucketPolicy:BucketPolicy").length, 2);
  });
});

describe("DataTier: the release snapshot and refusals", () => {
  let m: MockRecord;
  before(async () => {
    m = await dataTier();
  });

  it("takes no snapshot without a release to back up", () => {
    assert.deepEqual(m.ofType("aws:rds/snapshot:Snapshot"), []);
  });
  it("snapshots the primary database for a release, keyed by it and retained on delete", async () => {
    const r = await build(() => new (aws().DataTier)("data", { ...dataArgs, backupFor: "1.5.0-rc.1" }));
    const snapshot = r.one("aws:rds/snapshot:Snapshot");
    assert.equal(snapshot.name, "data-db-release-1-5-0-rc-1");
    assert.equal(snapshot.inputs.dbSnapshotIdentifier, "slipway-test-release-1-5-0-rc-1");
    assert.equal(snapshot.inputs.dbInstanceIdentifier, r.one("aws:rds/instance:Instance", "data-db").state.identifier);
    assert.equal(snapshot.retainOnDelete, true);
    assert.equal(snapshot.parent, r.one("slipway:data:DataTier").urn);
  });
  it("refuses a release version that gives no RDS snapshot identifier, naming the fix", () => {
    const e = failure(() => new (aws().DataTier)("d", { ...dataArgs, backupFor: "..." }));
    assert.match(
      e.message,
      /backupFor "\.\.\." gives the snapshot identifier "slipway-test-release-", which RDS refuses; use a prefix that starts with a letter and a version with letters or digits/,
    );
  });
  it("refuses shards without cluster mode", () => {
    const e = failure(() => new (aws().DataTier)("d", { ...dataArgs, cache: { ...dataArgs.cache, shards: 3 } }));
    assert.match(e.message, /cache.shards 3 needs clusterMode; set clusterMode true or shards 1/);
  });
});
