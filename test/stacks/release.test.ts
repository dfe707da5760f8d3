import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import { runStack, StackRun, stackFileConfig } from "../helpers/stack";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SPLIT = "kubernetes:split.smi-spec.io/v1alpha4:TrafficSplit";

function release(stack: string, keys: Record<string, string>): Promise<StackRun> {
  return runStack(stack, { ...stackFileConfig(stack), ...keys });
}

function backends(run: StackRun, service: string) {
  return run.mocks.one(SPLIT, service).inputs.spec.backends.map((b: any) => [b.service, b.weight]);
}

describe("release state: the canary track", () => {
  it("puts the canary weight into the traffic split and its annotation", async () => {
    const run = await release("prod", { "slipway:canaryVersion": "1.1.0", "slipway:canaryWeight": "30" });
    assert.deepEqual(backends(run, "api-gateway"), [
      ["api-gateway-stable", 70],
      ["api-gateway-canary", 30],
    ]);
    assert.equal(run.mocks.one(SPLIT, "api-gateway").inputs.metadata.annotations["slipway.dev/canary-weight"], "30");
  });

  it("runs the canary version on the canary Deployment and the stable version on the stable one", async () => {
    const run = await release("prod", { "slipway:canaryVersion": "1.1.0", "slipway:canaryWeight": "10" });
    const canary = run.mocks.one(DEPLOYMENT, "data-service-canary").inputs;
    const stable = run.mocks.one(DEPLOYMENT, "data-service-stable").inputs;
    assert.match(canary.spec.template.spec.containers[0].image, /\/data-service:1\.1\.0$/);
    assert.equal(canary.spec.template.metadata.labels["app.kubernetes.io/version"], "1.1.0");
    assert.equal(canary.spec.template.metadata.labels["slipway.dev/track"], "canary");
    // The stack file carries prod's digest for 1.0.0 only: the stable image is pinned, the canary runs by tag.
    assert.match(stable.spec.template.spec.containers[0].image, /\/data-service:1\.0\.0@sha256:[0-9a-f]{64}$/);
  });

  it("sizes the canary at ceil(stable replicas x weight / 100)", async () => {
    const run = await release("prod", { "slipway:canaryVersion": "1.1.0", "slipway:canaryWeight": "30" });
    // 3 stable replicas at 30% -> ceil(0.9) = 1
    assert.equal(run.mocks.one(DEPLOYMENT, "api-gateway-canary").inputs.spec.replicas, 1);
    const full = await release("prod", { "slipway:canaryVersion": "1.1.0", "slipway:canaryWeight": "100" });
    assert.equal(full.mocks.one(DEPLOYMENT, "api-gateway-canary").inputs.spec.replicas, 3);
  });

  it("scales the canary to zero at weight 0", async () => {
    const run = await release("prod", { "slipway:canaryVersion": "1.1.0", "slipway:canaryWeight": "0" });
    assert.equal(run.mocks.one(DEPLOYMENT, "cache-service-canary").inputs.spec.replicas, 0);
    assert.deepEqual(backends(run, "cache-service"), [
      ["cache-service-stable", 100],
      ["cache-service-canary", 0],
    ]);
  });

  it("creates no canary Deployment without a canary version", async () => {
    const run = await release("prod", {});
    assert.equal(run.mocks.ofType(DEPLOYMENT).filter((d) => d.inputs.metadata.name.endsWith("-canary")).length, 0);
    assert.deepEqual(run.outputs.releaseTargets, []);
  });
});

describe("release state: the services released together, rollback and targets", () => {
  it("canaries only the services released together and leaves the others untouched", async () => {
    const run = await release("prod", {
      "slipway:canaryVersion": "1.1.0",
      "slipway:canaryWeight": "10",
      "slipway:canaryServices": '["api-gateway","calculation-service"]',
    });
    const canaries = run.mocks
      .ofType(DEPLOYMENT)
      .map((d) => d.inputs.metadata.name)
      .filter((n: string) => n.endsWith("-canary"));
    assert.deepEqual(canaries.sort(), ["api-gateway-canary", "calculation-service-canary"]);
    assert.deepEqual(backends(run, "audit-service"), [
      ["audit-service-stable", 100],
      ["audit-service-canary", 0],
    ]);
    assert.deepEqual(run.outputs.services["audit-service"], {
      stableVersion: "1.0.0",
      canaryVersion: "",
      canaryWeight: 0,
    });
    assert.deepEqual(run.outputs.services["api-gateway"], {
      stableVersion: "1.0.0",
      canaryVersion: "1.1.0",
      canaryWeight: 10,
    });
  });

  it("keeps a rolled-back canary's Deployments at zero replicas and weight 0, serving nothing, for the next promotion to replace", async () => {
    const run = await release("prod", {
      "slipway:rolledBackVersion": "1.1.0",
      "slipway:canaryServices": '["api-gateway"]',
    });
    const canary = run.mocks.one(DEPLOYMENT, "api-gateway-canary").inputs;
    assert.equal(canary.spec.replicas, 0);
    assert.match(canary.spec.template.spec.containers[0].image, /:1\.1\.0(@|$)/);
    assert.deepEqual(backends(run, "api-gateway"), [
      ["api-gateway-stable", 100],
      ["api-gateway-canary", 0],
    ]);
    assert.deepEqual(run.outputs.services["api-gateway"], {
      stableVersion: "1.0.0",
      canaryVersion: "",
      canaryWeight: 0,
      rolledBackVersion: "1.1.0",
    });
    assert.deepEqual(Object.keys(run.outputs.canaryTargets), ["api-gateway"]);
    assert.equal(Object.keys(run.outputs.trafficTargets).length, 5);
    assert.deepEqual(
      run.outputs.releaseTargets,
      [],
      "a rolled-back canary is not released: the next step is a full update",
    );
  });

  it("pins one service's stable version through serviceVersions", async () => {
    const run = await release("staging", { "slipway:serviceVersions": '{"audit-service":"0.9.3"}' });
    const image = run.mocks.one(DEPLOYMENT, "audit-service-stable").inputs.spec.template.spec.containers[0].image;
    assert.match(image, /audit-service:0\.9\.3$/);
    assert.equal(run.outputs.services["audit-service"].stableVersion, "0.9.3");
  });

  it("lists as release targets exactly the traffic objects and canary Deployments of the released services", async () => {
    const run = await release("prod", {
      "slipway:canaryVersion": "1.1.0",
      "slipway:canaryWeight": "10",
      "slipway:canaryServices": '["api-gateway"]',
    });
    const targets: string[] = run.outputs.releaseTargets;
    const names = targets.map((u) => u.split("::").pop());
    assert.deepEqual(names.sort(), ["api-gateway-canary", "api-gateway-route-split"]);
    assert.ok(targets.every((u) => u.startsWith("urn:pulumi:prod::slipway::")));
  });
});

describe("release state: the routers", () => {
  it("routes through a Gateway API HTTPRoute when the router is gateway", async () => {
    const run = await release("local", {
      "slipway:router": "gateway",
      "slipway:canaryVersion": "1.1.0",
      "slipway:canaryWeight": "50",
    });
    const route = run.mocks.one("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "api-gateway").inputs;
    assert.deepEqual(
      route.spec.rules[0].backendRefs.map((b: any) => b.weight),
      [50, 50],
    );
    const crds = run.mocks
      .ofType("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition")
      .map((c) => c.inputs.metadata.name);
    assert.deepEqual(crds, ["httproutes.gateway.networking.k8s.io"]);
  });

  it("routes through an ALB weighted Ingress when the router is alb", async () => {
    const run = await release("prod", {
      "slipway:router": "alb",
      "slipway:canaryVersion": "1.1.0",
      "slipway:canaryWeight": "10",
    });
    const ing = run.mocks.one("kubernetes:networking.k8s.io/v1:Ingress", "api-gateway").inputs;
    const action = JSON.parse(ing.metadata.annotations["alb.ingress.kubernetes.io/actions.api-gateway"]);
    assert.deepEqual(
      action.forwardConfig.targetGroups.map((t: any) => t.weight),
      [90, 10],
    );
    assert.equal(ing.metadata.annotations["slipway.dev/canary-weight"], "10");
  });
});

describe("stack local module loading", () => {
  it("never loads the AWS, AWSX or EKS SDKs", function () {
    this.timeout(60_000);
    const script = `
            const { runStack, stackFileConfig } = require("./test/helpers/stack");
            runStack("local", stackFileConfig("local")).then(() => {
                const loaded = Object.keys(require.cache).filter((f) => /node_modules[\\\\/]@pulumi[\\\\/](aws|awsx|eks)[\\\\/]/.test(f));
                process.stdout.write(JSON.stringify(loaded.length));
            });`;
    const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
      cwd: path.resolve(__dirname, "../.."),
      encoding: "utf8",
    });
    assert.equal(out.trim(), "0");
  });
});
