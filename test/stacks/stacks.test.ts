import { strict as assert } from "assert";
import { SERVICE_NAMES } from "../../components/naming";
import { Registered } from "../helpers/mocks";
import { runStack, StackRun, stackFileConfig } from "../helpers/stack";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";

function hpaRange(run: StackRun, service: string): [number, number] {
  const spec = run.mocks.one(HPA, service).inputs.spec;
  return [spec.minReplicas, spec.maxReplicas];
}

function container(d: Registered) {
  return d.inputs.spec.template.spec.containers[0];
}

const SEED_RESOURCES: Record<string, [string, string, string, string]> = {
  "api-gateway": ["500m", "1Gi", "2000m", "4Gi"],
  "calculation-service": ["1000m", "2Gi", "4000m", "8Gi"],
  "data-service": ["500m", "1536Mi", "2000m", "6Gi"],
  "cache-service": ["1000m", "4Gi", "4000m", "16Gi"],
  "audit-service": ["500m", "1Gi", "1000m", "2Gi"],
};

function assertSeedResources(run: StackRun) {
  for (const s of SERVICE_NAMES) {
    const r = container(run.mocks.one(DEPLOYMENT, `${s}-stable`)).resources;
    assert.deepEqual([r.requests.cpu, r.requests.memory, r.limits.cpu, r.limits.memory], SEED_RESOURCES[s], s);
  }
}

function assertEncryptedWithDataKey(run: StackRun) {
  const key = run.mocks.one("aws:kms/key:Key", "data-key").state.arn;
  for (const db of run.mocks.ofType("aws:rds/instance:Instance")) {
    assert.equal(db.inputs.storageEncrypted, true, db.name);
    assert.equal(db.inputs.kmsKeyId, key, db.name);
  }
  const redis = run.mocks.one("aws:elasticache/replicationGroup:ReplicationGroup");
  assert.equal(redis.inputs.kmsKeyId, key);
  for (const sse of run.mocks.ofType(
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  )) {
    assert.equal(sse.inputs.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, key);
  }
}

describe("stack dev", () => {
  let run: StackRun;
  before(async () => {
    run = await runStack("dev", stackFileConfig("dev"));
  });

  it("sizes the node group 2-5", () => {
    const sc = run.mocks.one("eks:index:ManagedNodeGroup").inputs.scalingConfig;
    assert.deepEqual([sc.minSize, sc.maxSize], [2, 5]);
  });
  it("runs RDS on db.t3.medium, single-AZ, without read replicas, with 30-day backups", () => {
    const db = run.mocks.one("aws:rds/instance:Instance");
    assert.equal(db.inputs.instanceClass, "db.t3.medium");
    assert.equal(db.inputs.multiAz, false);
    assert.equal(db.inputs.backupRetentionPeriod, 30);
    assert.equal(db.inputs.deletionProtection, false);
  });
  it("runs Redis on a single cache.t3.small node", () => {
    const rg = run.mocks.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs;
    assert.deepEqual(
      [rg.nodeType, rg.numNodeGroups, rg.replicasPerNodeGroup, rg.clusterMode],
      ["cache.t3.small", 1, 0, "disabled"],
    );
  });
  it("runs every service with at least 2 replicas and the seeds' HPA ceilings", () => {
    assert.deepEqual(hpaRange(run, "api-gateway"), [2, 10]);
    assert.deepEqual(hpaRange(run, "calculation-service"), [2, 20]);
    assert.deepEqual(hpaRange(run, "audit-service"), [2, 5]);
    for (const s of SERVICE_NAMES) assert.ok(run.mocks.one(DEPLOYMENT, `${s}-stable`).inputs.spec.replicas >= 2, s);
  });
  it("shares one NAT gateway", () => {
    assert.equal(run.mocks.one("awsx:ec2:Vpc").inputs.natGateways.strategy, "Single");
  });
  it("encrypts the database, the cache and the buckets with the data-tier key", () => assertEncryptedWithDataKey(run));
});

describe("stack staging", () => {
  let run: StackRun;
  before(async () => {
    run = await runStack("staging", stackFileConfig("staging"));
  });

  it("sizes the node group 3-10", () => {
    const sc = run.mocks.one("eks:index:ManagedNodeGroup").inputs.scalingConfig;
    assert.deepEqual([sc.minSize, sc.maxSize], [3, 10]);
  });
  it("runs RDS on db.r5.large with 1 read replica", () => {
    const [primary, ...replicas] = run.mocks
      .ofType("aws:rds/instance:Instance")
      .sort((a, b) => a.name.localeCompare(b.name));
    assert.equal(primary.inputs.instanceClass, "db.r5.large");
    assert.equal(replicas.length, 1);
    assert.equal(replicas[0].inputs.replicateSourceDb, "slipway-staging-db");
  });
  it("runs Redis on cache.m5.large with 1 primary and 1 replica", () => {
    const rg = run.mocks.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs;
    assert.deepEqual(
      [rg.nodeType, rg.numNodeGroups, rg.replicasPerNodeGroup, rg.automaticFailoverEnabled],
      ["cache.m5.large", 1, 1, true],
    );
  });
  it("runs every service with at least 3 replicas", () => {
    for (const s of SERVICE_NAMES) assert.ok(hpaRange(run, s)[0] >= 3, s);
  });
  it("gives every service the seeds' requests and limits", () => assertSeedResources(run));
});

describe("stack prod", () => {
  let run: StackRun;
  before(async () => {
    run = await runStack("prod", stackFileConfig("prod"));
  });

  it("sizes the node group 3-20 across 3 AZs with one NAT gateway per AZ", () => {
    const sc = run.mocks.one("eks:index:ManagedNodeGroup").inputs.scalingConfig;
    assert.deepEqual([sc.minSize, sc.maxSize], [3, 20]);
    const vpc = run.mocks.one("awsx:ec2:Vpc").inputs;
    assert.equal(vpc.numberOfAvailabilityZones, 3);
    assert.equal(vpc.natGateways.strategy, "OnePerAz");
    assert.equal(vpc.cidrBlock, "10.0.0.0/16");
  });
  it("runs RDS on db.r5.xlarge, Multi-AZ, with 2 read replicas, deletion protection and 30-day PITR", () => {
    const dbs = run.mocks.ofType("aws:rds/instance:Instance");
    const primary = dbs.find((d) => d.inputs.replicateSourceDb === undefined)!;
    assert.equal(primary.inputs.instanceClass, "db.r5.xlarge");
    assert.equal(primary.inputs.multiAz, true);
    assert.equal(primary.inputs.deletionProtection, true);
    assert.equal(primary.inputs.backupRetentionPeriod, 30);
    assert.equal(dbs.length, 3);
  });
  it("runs Redis cache.m5.xlarge in cluster mode: 3 shards of 1 primary + 2 replicas", () => {
    const rg = run.mocks.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs;
    assert.deepEqual(
      [rg.nodeType, rg.clusterMode, rg.numNodeGroups, rg.replicasPerNodeGroup, rg.parameterGroupName],
      ["cache.m5.xlarge", "enabled", 3, 2, "default.redis7.cluster.on"],
    );
  });
  it("applies the seeds' HPA ranges, raising audit-service to the prod floor of 3", () => {
    assert.deepEqual(hpaRange(run, "api-gateway"), [3, 10]);
    assert.deepEqual(hpaRange(run, "calculation-service"), [3, 20]);
    assert.deepEqual(hpaRange(run, "data-service"), [3, 10]);
    assert.deepEqual(hpaRange(run, "cache-service"), [3, 5]);
    assert.deepEqual(hpaRange(run, "audit-service"), [3, 5]);
  });
  it("scales cache-service on memory and calculation-service on CPU and request rate", () => {
    const cache = run.mocks.one(HPA, "cache-service").inputs.spec.metrics;
    assert.equal(cache[0].resource.name, "memory");
    const calc = run.mocks.one(HPA, "calculation-service").inputs.spec.metrics;
    assert.deepEqual(
      calc.map((m: any) => m.type),
      ["Resource", "Pods"],
    );
  });
  it("gives every service the seeds' requests and limits", () => assertSeedResources(run));
  it("encrypts the database, the cache and the buckets with the data-tier key", () => assertEncryptedWithDataKey(run));
  it("exports the cluster name, a secret kubeconfig, the namespace and the release state", () => {
    assert.equal(run.outputs.clusterName, "slipway-prod");
    assert.match(run.outputs.kubeconfig, /slipway-prod/);
    assert.equal(run.outputs.namespace, "slipway-prod");
    assert.deepEqual(run.outputs.services["api-gateway"], {
      stableVersion: "1.0.0",
      canaryVersion: "",
      canaryWeight: 0,
    });
    assert.match(run.outputs.endpoints.databaseAddress, /^slipway-prod-db\./);
  });
});

describe("stack local", () => {
  let run: StackRun;
  before(async () => {
    run = await runStack("local", stackFileConfig("local"));
  });

  it("creates no aws: resource", () => {
    assert.deepEqual(
      run.mocks.resources.filter((r) => /^(aws|awsx|eks):/.test(r.type)).map((r) => r.type),
      [],
    );
  });
  it("installs the SMI TrafficSplit CRD and routes every service through a TrafficSplit", () => {
    const crd = run.mocks.one("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition");
    assert.equal(crd.inputs.metadata.name, "trafficsplits.split.smi-spec.io");
    assert.equal(crd.inputs.spec.versions[0].name, "v1alpha4");
    assert.equal(run.mocks.ofType("kubernetes:split.smi-spec.io/v1alpha4:TrafficSplit").length, 5);
  });
  it("runs 2 small replicas per service with requests and limits and a 120 s rollout timeout", () => {
    for (const s of SERVICE_NAMES) {
      const d = run.mocks.one(DEPLOYMENT, `${s}-stable`);
      assert.equal(d.inputs.spec.replicas, 2);
      assert.equal(d.inputs.metadata.annotations["pulumi.com/timeoutSeconds"], "120");
      const r = container(d).resources;
      assert.ok(r.requests.cpu && r.requests.memory && r.limits.cpu && r.limits.memory, s);
    }
  });
  it("uses registry.local images pinned to the stable version the stack file records", () => {
    // The driver moves slipway:stableVersion with every promotion, so the file, not a literal, is the truth.
    const stable = stackFileConfig("local")["slipway:stableVersion"];
    assert.match(stable, /^\d+\.\d+\.\d+/);
    assert.equal(
      container(run.mocks.one(DEPLOYMENT, "api-gateway-stable")).image,
      `registry.local/slipway/api-gateway:${stable}`,
    );
  });
  it("puts the data endpoints into a Secret, never into plain container env", () => {
    const secret = run.mocks.one("kubernetes:core/v1:Secret");
    assert.ok(Object.keys(secret.inputs.stringData).includes("DATABASE_URL"));
    const env = container(run.mocks.one(DEPLOYMENT, "data-service-stable")).env.map((e: any) => e.name);
    assert.ok(!env.includes("DATABASE_URL"));
  });
});
