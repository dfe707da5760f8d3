// What the shipped stacks build for a security review: network isolation, identities, spread, pinned images.
import { strict as assert } from "assert";
import { SERVICE_ACCESS } from "../../components/access";
import { SERVICE_NAMES } from "../../components/naming";
import { runStack, StackRun, stackFileConfig } from "../helpers/stack";

const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const SA = "kubernetes:core/v1:ServiceAccount";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

/** The shipped prod and local stacks, built once for every block below. */
let shipped: Promise<{ prod: StackRun; local: StackRun }> | undefined;
function shippedStacks(): Promise<{ prod: StackRun; local: StackRun }> {
  return (shipped ??= (async () => ({
    prod: await runStack("prod", stackFileConfig("prod")),
    local: await runStack("local", stackFileConfig("local")),
  }))());
}

describe("hardening of the shipped stacks: network isolation", () => {
  let prod: StackRun;
  let local: StackRun;
  before(async () => {
    ({ prod, local } = await shippedStacks());
  });

  it("denies all traffic in the namespace by default and lets every pod resolve names", () => {
    for (const run of [prod, local]) {
      const deny = run.mocks.one(NP, "default-deny").inputs;
      assert.deepEqual(deny.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
      const dns = run.mocks.one(NP, "allow-dns").inputs.spec;
      assert.deepEqual(dns.egress[0].ports, [
        { protocol: "UDP", port: 53 },
        { protocol: "TCP", port: 53 },
      ]);
    }
  });

  it("opens the entry point to all, other services only to their callers, and every pod to the metrics scrape", () => {
    const gateway = prod.mocks.one(NP, "api-gateway").inputs.spec;
    assert.deepEqual(gateway.ingress[0], { ports: [{ protocol: "TCP", port: 8000 }] });
    const cache = prod.mocks.one(NP, "cache-service").inputs.spec;
    assert.deepEqual(
      cache.ingress[0].from.map((p: any) => p.podSelector.matchLabels["app.kubernetes.io/name"]).sort(),
      ["calculation-service", "data-service"],
    );
    for (const s of SERVICE_NAMES) {
      const ingress = prod.mocks.one(NP, s).inputs.spec.ingress;
      assert.deepEqual(
        ingress[ingress.length - 1].from,
        [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
        s,
      );
    }
  });

  it("lets the driver's Jobs (smoke tests, migrations) reach the entry service and the data subnets, and nothing reach them", () => {
    const jobs = prod.mocks.one(NP, "slipway-jobs").inputs.spec;
    assert.deepEqual(jobs.podSelector, { matchLabels: { "app.kubernetes.io/managed-by": "slipway" } });
    assert.deepEqual(jobs.ingress, [], "a Job accepts no traffic");
    assert.deepEqual(jobs.egress[0], {
      to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "api-gateway" } } }],
      ports: [{ protocol: "TCP", port: 8000 }],
    });
    assert.deepEqual(
      jobs.egress[1].to.map((p: any) => p.ipBlock.cidr),
      ["10.0.160.0/22", "10.0.164.0/22", "10.0.168.0/22"],
    );
    assert.deepEqual(
      jobs.egress[1].ports.map((p: any) => p.port),
      [5432, 6379],
    );
  });

  it("lets only the data tier's users reach its ports, and only inside the data subnets on AWS", () => {
    const data = prod.mocks.one(NP, "data-service").inputs.spec.egress;
    const toDb = data.find((r: any) => r.ports.some((p: any) => p.port === 5432));
    assert.deepEqual(
      toDb.to.map((p: any) => p.ipBlock.cidr),
      ["10.0.160.0/22", "10.0.164.0/22", "10.0.168.0/22"],
    );
    const gateway = prod.mocks.one(NP, "api-gateway").inputs.spec.egress;
    assert.ok(
      !gateway.some((r: any) => r.ports.some((p: any) => p.port === 5432 || p.port === 6379 || p.port === 443)),
    );
  });
});

describe("hardening of the shipped stacks: identities and roles", () => {
  let prod: StackRun;
  before(async () => {
    ({ prod } = await shippedStacks());
  });

  it("gives every service its own ServiceAccount, used by both tracks' pods", () => {
    for (const s of SERVICE_NAMES) {
      assert.equal(prod.mocks.one(SA, s).inputs.automountServiceAccountToken, false);
      assert.equal(prod.mocks.one(DEPLOYMENT, `${s}-stable`).inputs.spec.template.spec.serviceAccountName, s);
    }
  });

  it("binds an IRSA role only to services that read secrets or buckets or sign in to Redis, trusting exactly that ServiceAccount", () => {
    const readers = SERVICE_NAMES.filter(
      (s) =>
        SERVICE_ACCESS[s].databaseSecret ||
        Object.keys(SERVICE_ACCESS[s].buckets).length > 0 ||
        SERVICE_ACCESS[s].redisSignIn === true,
    );
    assert.deepEqual(readers, ["data-service", "cache-service", "audit-service"]);
    for (const s of SERVICE_NAMES) {
      const annotations = prod.mocks.one(SA, s).inputs.metadata.annotations ?? {};
      assert.equal("eks.amazonaws.com/role-arn" in annotations, readers.includes(s), s);
    }
    const role = prod.mocks.one(ROLE, "identities-data-service").inputs;
    const trust = JSON.parse(role.assumeRolePolicy).Statement[0];
    assert.deepEqual(trust.Condition.StringEquals, {
      "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:slipway-prod:data-service",
      "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:aud": "sts.amazonaws.com",
    });
  });

  it("scopes each role to exactly its secret, its buckets and the data key, with named actions", () => {
    const policy = JSON.parse(prod.mocks.one(ROLE_POLICY, "identities-data-service-access").inputs.policy);
    const resources = policy.Statement.map((s: any) => s.Resource);
    assert.deepEqual(resources, [
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-slipway-prod-db",
      "arn:aws:s3:::slipway-prod-artifacts",
      "arn:aws:s3:::slipway-prod-artifacts/*",
      prod.mocks.one("aws:kms/key:Key", "data-key").state.arn,
    ]);
    for (const st of policy.Statement) for (const a of st.Action) assert.ok(!a.includes("*"), a);
    const audit = JSON.parse(prod.mocks.one(ROLE_POLICY, "identities-audit-service-access").inputs.policy);
    assert.deepEqual(audit.Statement[2].Action, ["s3:GetObject", "s3:PutObject"]);
  });
});

describe("hardening of the shipped stacks: spread, images and budgets", () => {
  let prod: StackRun;
  let local: StackRun;
  before(async () => {
    ({ prod, local } = await shippedStacks());
  });

  it("spreads prod's pods over zones as a hard rule, the local stack's as a preference", () => {
    const zone = (run: StackRun) =>
      run.mocks.one(DEPLOYMENT, "api-gateway-stable").inputs.spec.template.spec.topologySpreadConstraints[0];
    assert.deepEqual(
      [zone(prod).topologyKey, zone(prod).whenUnsatisfiable],
      ["topology.kubernetes.io/zone", "DoNotSchedule"],
    );
    assert.equal(zone(local).whenUnsatisfiable, "ScheduleAnyway");
  });

  it("runs prod's images by the digests of its stack file, the local stack's by tag", () => {
    const image = (run: StackRun) =>
      run.mocks.one(DEPLOYMENT, "api-gateway-stable").inputs.spec.template.spec.containers[0].image;
    assert.match(
      image(prod),
      /\/api-gateway:1\.0\.0@sha256:90d6599511ebd5c8bbc3b4316c2d31a8d084b9f25a9b12d90999b0c7ee992a71$/,
    );
    assert.equal(image(local), "registry.local/slipway/api-gateway:1.0.0");
  });

  it("builds PDBs that never block a drain", () => {
    for (const s of SERVICE_NAMES) {
      assert.equal(
        prod.mocks.one("kubernetes:policy/v1:PodDisruptionBudget", s).inputs.spec.unhealthyPodEvictionPolicy,
        "AlwaysAllow",
      );
    }
  });
});

describe("hardening of the shipped stacks: Redis sign-in", () => {
  let prod: StackRun;
  let local: StackRun;
  before(async () => {
    ({ prod, local } = await shippedStacks());
  });

  it("lets cache-service connect to exactly the replication group as the IAM-authenticated app user, nothing else", () => {
    const policy = JSON.parse(prod.mocks.one(ROLE_POLICY, "identities-cache-service-access").inputs.policy);
    assert.deepEqual(policy.Statement, [
      {
        Sid: "RedisConnect",
        Effect: "Allow",
        Action: ["elasticache:Connect"],
        Resource: [
          prod.mocks.one("aws:elasticache/replicationGroup:ReplicationGroup").state.arn,
          prod.mocks.one("aws:elasticache/user:User", "data-redis-app").state.arn,
        ],
      },
    ]);
    assert.equal(
      prod.mocks.one(SA, "cache-service").inputs.metadata.annotations["eks.amazonaws.com/role-arn"],
      prod.mocks.one(ROLE, "identities-cache-service").state.arn,
    );
  });

  it("never lets cache-service connect as the disabled default user", () => {
    const policy = prod.mocks.one(ROLE_POLICY, "identities-cache-service-access").inputs.policy;
    assert.ok(!policy.includes(prod.mocks.one("aws:elasticache/user:User", "data-redis-default").state.arn));
  });

  it("lets cache-service reach AWS on HTTPS for its credentials on AWS stacks only", () => {
    const https = (run: StackRun) =>
      run.mocks
        .one(NP, "cache-service")
        .inputs.spec.egress.some((r: any) => r.to === undefined && r.ports.some((p: any) => p.port === 443));
    assert.deepEqual([https(prod), https(local)], [true, false]);
  });
});
