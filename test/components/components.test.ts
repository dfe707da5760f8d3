import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import { Service, ServiceArgs } from "../../components/service";
import { TrafficRoute } from "../../components/trafficRoute";
import { Platform } from "../../components/platform";
import { build, failure, serviceArgs, sizing } from "./fixtures";

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
