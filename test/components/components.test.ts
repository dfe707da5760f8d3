import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import { MockRecord, setMocks } from "../helpers/mocks";
import { settled } from "../helpers/stack";
import { Service, ServiceArgs } from "../../components/service";
import { TrafficRoute } from "../../components/trafficRoute";
import { Platform } from "../../components/platform";
import type * as awsComponents from "../../components/aws";

function aws(): typeof awsComponents {
  return require("../../components/aws");
}

const sizing = {
  minReplicas: 3,
  maxReplicas: 10,
  scaleOn: "cpu" as const,
  cpuRequest: "500m",
  cpuLimit: "2000m",
  memoryRequest: "1Gi",
  memoryLimit: "4Gi",
};

function serviceArgs(over: Partial<ServiceArgs> = {}): ServiceArgs {
  return {
    service: "api-gateway",
    namespace: "ns",
    environment: "prod",
    sizing,
    imageRepository: "r/slipway",
    stableVersion: "1.0.0",
    connectionSecret: "slipway-connections",
    timeoutSeconds: 120,
    router: "smi",
    ...over,
  };
}

/** Registers what `build` creates under fresh mocks and waits for every registration. */
async function build(fn: () => void): Promise<MockRecord> {
  const mocks = setMocks("test");
  fn();
  await settled();
  return mocks;
}

/** The error a component throws when constructed under fresh mocks. */
function failure(fn: () => void): Error {
  setMocks("test");
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the component to refuse its arguments");
}

describe("Service", () => {
  it("names Deployments S-stable and S-canary and Services S, S-stable, S-canary explicitly", async () => {
    const m = await build(() => new Service("api-gateway", serviceArgs({ canary: { version: "1.1.0", weight: 10 } })));
    assert.deepEqual(
      m
        .ofType("kubernetes:apps/v1:Deployment")
        .map((d) => d.inputs.metadata.name)
        .sort(),
      ["api-gateway-canary", "api-gateway-stable"],
    );
    assert.deepEqual(
      m
        .ofType("kubernetes:core/v1:Service")
        .map((d) => d.inputs.metadata.name)
        .sort(),
      ["api-gateway", "api-gateway-canary", "api-gateway-stable"],
    );
  });
  it("rolls out with maxSurge 1 / maxUnavailable 0 and the configured engine timeout", async () => {
    const m = await build(() => new Service("api-gateway", serviceArgs()));
    const d = m.one("kubernetes:apps/v1:Deployment", "api-gateway-stable").inputs;
    assert.deepEqual(d.spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    assert.equal(d.metadata.annotations["pulumi.com/timeoutSeconds"], "120");
  });
  it("points the HPA at the stable Deployment and protects the stable pods with a PDB", async () => {
    const m = await build(() => new Service("api-gateway", serviceArgs()));
    const hpa = m.one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").inputs;
    assert.deepEqual(hpa.spec.scaleTargetRef, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "api-gateway-stable",
    });
    assert.deepEqual([hpa.spec.minReplicas, hpa.spec.maxReplicas], [3, 10]);
    const pdb = m.one("kubernetes:policy/v1:PodDisruptionBudget").inputs;
    assert.equal(pdb.spec.selector.matchLabels["slipway.dev/track"], "stable");
  });
  it("selects tracks by label only, so the root Service spans both tracks", async () => {
    const m = await build(() => new Service("api-gateway", serviceArgs()));
    const root = m.one("kubernetes:core/v1:Service", "api-gateway").inputs;
    assert.deepEqual(root.spec.selector, {
      "app.kubernetes.io/name": "api-gateway",
      "app.kubernetes.io/part-of": "slipway",
    });
  });
  it("sizes the canary track by the weight: ceil(3 * 10%) = 1 replica, none once rolled back", async () => {
    const replicas = async (canary: ServiceArgs["canary"]) =>
      (await build(() => new Service("api-gateway", serviceArgs({ canary })))).one(
        "kubernetes:apps/v1:Deployment",
        "api-gateway-canary",
      ).inputs.spec.replicas;
    assert.equal(await replicas({ version: "1.1.0", weight: 10 }), 1);
    assert.equal(await replicas({ version: "1.1.0", weight: 0, rolledBack: true }), 0);
  });
  it("runs a blue-green canary track at the stable size from weight 0, and scales it to zero once rolled back", async () => {
    const replicas = async (canary: ServiceArgs["canary"]) =>
      (await build(() => new Service("api-gateway", serviceArgs({ canary })))).one(
        "kubernetes:apps/v1:Deployment",
        "api-gateway-canary",
      ).inputs.spec.replicas;
    assert.equal(await replicas({ version: "1.1.0", weight: 0, fullSize: true }), 3);
    assert.equal(await replicas({ version: "1.1.0", weight: 100, fullSize: true }), 3);
    assert.equal(await replicas({ version: "1.1.0", weight: 0, rolledBack: true, fullSize: true }), 0);
  });
  it("refuses maxReplicas below minReplicas with a message that names the fix", () => {
    const e = failure(() => new Service("api-gateway", serviceArgs({ sizing: { ...sizing, maxReplicas: 2 } })));
    assert.match(e.message, /api-gateway: maxReplicas 2 is below minReplicas 3; raise maxReplicas/);
  });
});

describe("TrafficRoute", () => {
  it("annotates the traffic object with the applied weight", async () => {
    const m = await build(
      () => new TrafficRoute("r", { service: "data-service", namespace: "ns", canaryWeight: 30, router: "smi" }),
    );
    const split = m.one("kubernetes:split.smi-spec.io/v1alpha4:TrafficSplit").inputs;
    assert.equal(split.metadata.name, "data-service");
    assert.equal(split.metadata.annotations["slipway.dev/canary-weight"], "30");
  });
  it("refuses a weight outside 0..100", () => {
    const e = failure(() => new TrafficRoute("r", { service: "s", namespace: "ns", canaryWeight: 120, router: "smi" }));
    assert.match(e.message, /canary weight 120 is outside 0\.\.100; set an integer weight between 0 and 100/);
  });
});

describe("Platform", () => {
  const args = {
    environment: "local",
    namespace: "slipway-local",
    services: { "api-gateway": sizing },
    imageRepository: "r",
    router: "smi" as const,
    connection: { DATABASE_URL: "postgresql://db" },
    release: { serviceVersions: { "api-gateway": "1.0.0" }, canaryWeight: 0, canaryServices: ["api-gateway"] },
  };
  it("creates a restricted namespace per environment and the connection Secret", async () => {
    const m = await build(() => new Platform("p", args));
    const ns = m.one("kubernetes:core/v1:Namespace").inputs;
    assert.equal(ns.metadata.name, "slipway-local");
    assert.equal(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
    assert.equal(m.one("kubernetes:core/v1:Secret").inputs.stringData.DATABASE_URL, "postgresql://db");
  });
  it("makes every service's traffic object wait for trafficDependsOn", async () => {
    const m = await build(() => {
      const gate = new k8s.core.v1.ConfigMap("gate", { metadata: { name: "gate" } });
      const services = { "api-gateway": sizing, "audit-service": sizing };
      const serviceVersions = { "api-gateway": "1.0.0", "audit-service": "1.0.0" };
      new Platform("p", { ...args, services, release: { ...args.release, serviceVersions }, trafficDependsOn: [gate] });
    });
    const gate = m.one("kubernetes:core/v1:ConfigMap", "gate").urn;
    const routes = m.ofType("slipway:apps:TrafficRoute");
    assert.deepEqual(
      routes.map((r) => [r.name, r.dependencies.includes(gate)]),
      [
        ["api-gateway-route", true],
        ["audit-service-route", true],
      ],
    );
  });
  it("refuses a canaried service that is not deployed", () => {
    const e = failure(() => new Platform("p", { ...args, release: { ...args.release, canaryServices: ["billing"] } }));
    assert.match(e.message, /canaryServices names billing, which is not deployed/);
  });
});

describe("Network", () => {
  it("spans 3 AZs with public, private-app and isolated data subnets", async () => {
    const m = await build(() => new (aws().Network)("n", { natGateways: "perAz" }));
    const vpc = m.one("awsx:ec2:Vpc").inputs;
    assert.deepEqual(
      vpc.subnetSpecs.map((s: any) => [s.type, s.name, s.cidrBlocks.length]),
      [
        ["Public", "public", 3],
        ["Private", "app", 3],
        ["Isolated", "data", 3],
      ],
    );
    assert.equal(vpc.natGateways.strategy, "OnePerAz");
  });
});

describe("Cluster", () => {
  const clusterArgs = {
    clusterName: "c",
    vpcId: "vpc-1",
    privateSubnetIds: ["a"],
    publicSubnetIds: ["b"],
    kubernetesVersion: "1.31",
    nodeGroup: { instanceType: "m5.large", minSize: 3, maxSize: 20, desiredSize: 3 },
    apiAllowedCidrs: ["198.51.100.0/24"],
  };
  it("encrypts secrets with its KMS key, enables OIDC and all control-plane logs, restricts the API endpoint", async () => {
    const m = await build(() => new (aws().Cluster)("c", clusterArgs));
    const eks = m.one("eks:index:Cluster").inputs;
    assert.equal(eks.encryptionConfigKeyArn, m.one("aws:kms/key:Key").state.arn);
    assert.equal(eks.createOidcProvider, true);
    assert.deepEqual(eks.enabledClusterLogTypes, ["api", "audit", "authenticator", "controllerManager", "scheduler"]);
    assert.deepEqual(eks.publicAccessCidrs, ["198.51.100.0/24"]);
    assert.equal(eks.endpointPrivateAccess, true);
  });
  it("keeps the API endpoint private when no CIDR is allowed", async () => {
    const m = await build(() => new (aws().Cluster)("c", { ...clusterArgs, apiAllowedCidrs: [] }));
    assert.equal(m.one("eks:index:Cluster").inputs.endpointPublicAccess, false);
  });
  it("encrypts node volumes and requires IMDSv2", async () => {
    const m = await build(() => new (aws().Cluster)("c", clusterArgs));
    const lt = m.one("aws:ec2/launchTemplate:LaunchTemplate").inputs;
    assert.equal(lt.blockDeviceMappings[0].ebs.encrypted, "true");
    assert.equal(lt.metadataOptions.httpTokens, "required");
  });
  it("refuses a desired size outside the node group range", () => {
    const e = failure(
      () => new (aws().Cluster)("c", { ...clusterArgs, nodeGroup: { ...clusterArgs.nodeGroup, desiredSize: 30 } }),
    );
    assert.match(e.message, /nodeGroup.desiredSize 30 is outside 3\.\.20; set it within the range/);
  });
});

describe("DataTier", () => {
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
  let m: MockRecord;
  before(async () => {
    m = await build(() => new (aws().DataTier)("data", dataArgs));
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
