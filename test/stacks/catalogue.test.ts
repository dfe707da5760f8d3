// The service catalogue (`slipway:services` as a list): validated once with the key and the fix, sized per
// environment, and the program builds every per-service object from it.
import { strict as assert } from "assert";
import { parseStackConfig } from "../../stacks/config";
import { runStack, StackRun } from "../helpers/stack";

const base = { "slipway:stableVersion": "1.4.0", "slipway:imageRepository": "registry.example/ledger" };
const services = (list: unknown) => ({ ...base, "slipway:services": JSON.stringify(list) });

/** An invented system: an entry on another port, a worker that reaches the cache and a bank's network, not canaried. */
const LEDGER = [
  {
    name: "teller",
    port: 9090,
    health: "/livez",
    readiness: "/readyz",
    entry: true,
    reaches: { services: ["ledger"] },
  },
  { name: "ledger", image: "registry.example/core/ledger", minReplicas: 4, reaches: { database: true } },
  {
    name: "settler",
    canary: false,
    scaleOn: "memory",
    scaleTarget: 75,
    reaches: { cache: true, egress: [{ cidr: "198.51.100.0/24", ports: [8443] }] },
  },
];

describe("the service catalogue: refusals", () => {
  const refusals: [string, unknown, string][] = [
    [
      "a name that is not a DNS label",
      [{ name: "Ledger" }],
      'slipway:services[0].name: "Ledger" is not allowed; set a DNS label of at most 40 characters: lower-case letters, digits and -',
    ],
    [
      "a privileged port",
      [{ name: "ledger", port: 80 }],
      "slipway:services[0].port: 80 is not allowed; set a port between 1024 and 65535 (the containers run as non-root)",
    ],
    [
      "a service named twice",
      [{ name: "ledger" }, { name: "ledger" }],
      'slipway:services[1].name: "ledger" is not allowed; name each service once',
    ],
    [
      "a reach to a service outside the catalogue",
      [{ name: "ledger", reaches: { services: ["billing"] } }, { name: "teller" }],
      'slipway:services[0].reaches.services[0]: "billing" is not allowed; name another service of the catalogue: teller',
    ],
    [
      "a replica floor below prod's",
      [{ name: "ledger", minReplicas: 2 }],
      "slipway:services[0].minReplicas: 2 is not allowed; set at least 3 on a prod stack",
    ],
    [
      "a catalogue with nothing canaried",
      [{ name: "ledger", canary: false }],
      'slipway:services: ["ledger"] is not allowed; set canary true (or leave it out) on at least one service: a promotion canaries it',
    ],
    [
      "an unknown field",
      [{ name: "ledger", replicas: 3 }],
      "slipway:services[0].replicas: 3 is not allowed; it is not a known field; remove it or fix its spelling",
    ],
    [
      "a metric other than cpu or memory",
      [{ name: "ledger", scaleOn: "gpu" }],
      'slipway:services[0].scaleOn: "gpu" is not allowed; use cpu or memory',
    ],
    [
      "an egress CIDR that is not one",
      [{ name: "ledger", reaches: { egress: [{ cidr: "10.0.0.0/33", ports: [443] }] } }],
      'slipway:services[0].reaches.egress[0].cidr: "10.0.0.0/33" is not allowed; set an IPv4 CIDR such as "10.20.0.0/16"',
    ],
    ["an empty catalogue", [], "slipway:services: [] is not allowed; list at least one service, or remove the key"],
  ];
  for (const [what, list, message] of refusals) {
    it(`refuses ${what}, naming the key and the fix`, () => {
      assert.throws(
        () => parseStackConfig("prod", services(list)),
        (e: Error) => e.message === message,
      );
    });
  }
});

describe("the service catalogue: resolution", () => {
  it("keeps the older per-service overrides as the default catalogue with changed numbers", () => {
    const c = parseStackConfig("prod", { ...base, "slipway:services": '{"api-gateway":{"minReplicas":4}}' });
    assert.equal(c.defaultCatalogue, true);
    assert.equal(c.services["api-gateway"].minReplicas, 4);
    assert.equal(Object.keys(c.catalogue).length, 5);
    assert.deepEqual(c.catalogue["cache-service"].reaches, { cache: true });
  });

  it("sizes a service from its environment's defaults where it states nothing, and its own numbers where it does", () => {
    const dev = parseStackConfig("dev", services(LEDGER));
    assert.deepEqual([dev.services.teller.minReplicas, dev.services.teller.maxReplicas], [2, 5]);
    const prod = parseStackConfig("prod", services(LEDGER));
    assert.deepEqual([prod.services.teller.minReplicas, prod.services.ledger.minReplicas], [3, 4]);
    assert.equal(prod.services.settler.scaleTarget, 75);
    const local = parseStackConfig("local", services(LEDGER.map((e) => ({ ...e, minReplicas: undefined }))));
    assert.equal(local.services.teller.cpuRequest, "50m");
  });

  it("releases the canaried services by default, and leaves out a removed service the release record still names", () => {
    const c = parseStackConfig("prod", {
      ...services(LEDGER),
      "slipway:canaryServices": '["teller","api-gateway"]',
      "slipway:serviceVersions": '{"api-gateway":"1.3.0","ledger":"1.3.9"}',
    });
    assert.deepEqual(c.release.canaryServices, ["teller"]);
    assert.deepEqual(c.release.serviceVersions, { teller: "1.4.0", ledger: "1.3.9", settler: "1.4.0" });
    assert.deepEqual(parseStackConfig("prod", services(LEDGER)).release.canaryServices, ["teller", "ledger"]);
  });
});

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

describe("the service catalogue: the program under mocks", () => {
  let run: StackRun;
  before(async () => {
    run = await runStack("prod", {
      ...services(LEDGER),
      "slipway:canaryVersion": "1.5.0",
      "slipway:canaryWeight": "10",
      "slipway:release": '{"backup":false}',
    });
  });

  it("deploys exactly the catalogue's services, with their ports, paths and images", () => {
    const stable = run.mocks
      .ofType(DEPLOYMENT)
      .map((d) => d.inputs.metadata.name)
      .sort();
    assert.deepEqual(stable, ["ledger-canary", "ledger-stable", "settler-stable", "teller-canary", "teller-stable"]);
    const teller = run.mocks.one(DEPLOYMENT, "teller-stable").inputs.spec.template.spec.containers[0];
    assert.deepEqual(teller.ports, [{ name: "http", containerPort: 9090 }]);
    assert.deepEqual(
      [teller.livenessProbe.httpGet, teller.readinessProbe.httpGet],
      [
        { path: "/livez", port: 9090 },
        { path: "/readyz", port: 9090 },
      ],
    );
    assert.equal(run.mocks.one("kubernetes:core/v1:Service", "teller").inputs.spec.ports[0].targetPort, 9090);
    const ledger = run.mocks.one(DEPLOYMENT, "ledger-stable").inputs.spec.template.spec.containers[0];
    assert.equal(ledger.image, "registry.example/core/ledger:1.4.0");
  });

  it("keeps the service it does not canary off the canary track and out of the release targets", () => {
    assert.equal(run.outputs.services.settler.canaryVersion, "");
    assert.ok(!run.outputs.releaseTargets.some((u: string) => u.includes("settler")));
    assert.equal(run.outputs.releaseTargets.length, 4);
  });

  it("opens the entry to all on its port, and the rest only to their callers", () => {
    assert.deepEqual(run.mocks.one(NP, "teller").inputs.spec.ingress[0], { ports: [{ protocol: "TCP", port: 9090 }] });
    const ledger = run.mocks.one(NP, "ledger").inputs.spec.ingress[0];
    assert.deepEqual(ledger.from, [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "teller" } } }]);
    const jobs = run.mocks.one(NP, "slipway-jobs").inputs.spec.egress[0];
    assert.deepEqual(jobs.ports, [{ protocol: "TCP", port: 9090 }]);
  });

  it("derives roles and egress from reaches: the cache's sign-in role, the database secret, the named CIDR", () => {
    const roles = run.mocks
      .ofType("aws:iam/role:Role")
      .map((r) => r.name)
      .filter((n) => n.startsWith("identities-"))
      .sort();
    assert.deepEqual(roles, ["identities-ledger", "identities-settler"]);
    const settler = JSON.parse(
      run.mocks.one("aws:iam/rolePolicy:RolePolicy", "identities-settler-access").inputs.policy,
    );
    assert.deepEqual(
      settler.Statement.map((s: { Sid: string }) => s.Sid),
      ["RedisConnect"],
    );
    const egress = run.mocks.one(NP, "settler").inputs.spec.egress;
    assert.deepEqual(egress.at(-1), {
      to: [{ ipBlock: { cidr: "198.51.100.0/24" } }],
      ports: [{ protocol: "TCP", port: 8443 }],
    });
    const hpa = run.mocks.one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "settler").inputs.spec.metrics[0];
    assert.deepEqual(hpa.resource, { name: "memory", target: { type: "Utilization", averageUtilization: 75 } });
  });
});
