import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { V1Pod } from "@kubernetes/client-node";
import { createProviders, runGates } from "../../../automation/analysis";
import { canarySelector, evaluateCanaryPods } from "../../../automation/analysis/kubernetes";
import { gateContext, json, serve, TestServer } from "./server";

function pod(
  name: string,
  over: { version?: string; ready?: boolean; restarts?: number; reason?: string; deleting?: boolean } = {},
): V1Pod {
  const ready = over.ready ?? true;
  return {
    metadata: {
      name,
      labels: {
        "app.kubernetes.io/name": "api-gateway",
        "slipway.dev/track": "canary",
        "app.kubernetes.io/version": over.version ?? "1.4.0",
      },
      deletionTimestamp: over.deleting ? new Date() : undefined,
    },
    status: {
      phase: ready ? "Running" : "Pending",
      conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
      containerStatuses: [
        {
          name: "app",
          image: "app:1.4.0",
          imageID: "",
          ready,
          restartCount: over.restarts ?? 0,
          lastState: over.reason ? { terminated: { exitCode: 137, reason: over.reason } } : undefined,
        },
      ],
    },
  };
}

describe("#kubernetes gate: pod evaluation", () => {
  it("passes when every canary pod is ready, on the canary version, without restarts", () => {
    const f = evaluateCanaryPods("api-gateway", "1.4.0", { desired: 2, pods: [pod("a"), pod("b")] });
    assert.equal(f.ok, true, f.detail);
    assert.equal(f.detail, "api-gateway: 2/2 canary pods ready on 1.4.0, no restarts");
  });

  it("fails when a pod is not ready", () => {
    const f = evaluateCanaryPods("api-gateway", "1.4.0", { desired: 2, pods: [pod("a"), pod("b", { ready: false })] });
    assert.equal(f.ok, false);
    assert.match(f.detail, /b not ready \(Pending\)/);
    assert.match(f.detail, /1 of 2 desired pods ready/);
  });

  it("fails when a container restarted, naming the reason", () => {
    const f = evaluateCanaryPods("api-gateway", "1.4.0", {
      desired: 1,
      pods: [pod("a", { restarts: 3, reason: "OOMKilled" })],
    });
    assert.equal(f.ok, false);
    assert.match(f.detail, /a: app restarted 3x \(OOMKilled\)/);
  });

  it("fails when fewer pods than desired exist", () => {
    const f = evaluateCanaryPods("api-gateway", "1.4.0", { desired: 3, pods: [pod("a")] });
    assert.equal(f.ok, false);
    assert.match(f.detail, /1 of 3 desired pods ready/);
  });

  it("fails when there are no canary pods", () => {
    const f = evaluateCanaryPods("api-gateway", "1.4.0", { desired: 1, pods: [] });
    assert.equal(f.ok, false);
    assert.match(f.detail, /no canary pods/);
  });

  it("fails when the canary Deployment is missing", () => {
    const f = evaluateCanaryPods("api-gateway", "1.4.0", { desired: undefined, pods: [pod("a")] });
    assert.equal(f.ok, false);
    assert.match(f.detail, /Deployment api-gateway-canary not found/);
  });

  it("fails when a pod runs another version", () => {
    const f = evaluateCanaryPods("api-gateway", "1.4.0", { desired: 1, pods: [pod("a", { version: "1.3.0" })] });
    assert.equal(f.ok, false);
    assert.match(f.detail, /a runs 1\.3\.0, expected 1\.4\.0/);
  });

  it("ignores pods that are terminating", () => {
    const f = evaluateCanaryPods("api-gateway", "1.4.0", {
      desired: 1,
      pods: [pod("old", { version: "1.3.0", ready: false, deleting: true }), pod("a")],
    });
    assert.equal(f.ok, true, f.detail);
  });

  it("selects canary pods by name and track labels", () => {
    assert.equal(canarySelector("data-service"), "app.kubernetes.io/name=data-service,slipway.dev/track=canary");
  });
});

let api: TestServer;
let dir: string;
let kubeconfig: string;
const pods: Record<string, V1Pod[]> = {};
const replicas: Record<string, number> = {};
let status = 200;
let hang = false;

/** A fake API server serving `pods` and `replicas` (or `status`, or nothing), for the describe block that calls it. */
function fakeApiServer(): void {
  before(async () => {
    api = await serve((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (hang) return;
      if (status !== 200)
        return json(res, status, { kind: "Status", status: "Failure", message: "pods is forbidden", code: status });
      const dep = url.pathname.match(/^\/apis\/apps\/v1\/namespaces\/slipway\/deployments\/(.+)-canary$/);
      if (dep) {
        if (replicas[dep[1]] === undefined) return json(res, 404, { kind: "Status", code: 404, message: "not found" });
        return json(res, 200, {
          kind: "Deployment",
          metadata: { name: `${dep[1]}-canary` },
          spec: { replicas: replicas[dep[1]] },
        });
      }
      if (url.pathname === "/api/v1/namespaces/slipway/pods") {
        const name = /app\.kubernetes\.io\/name=([^,]+)/.exec(url.searchParams.get("labelSelector") ?? "")?.[1] ?? "";
        assert.equal(url.searchParams.get("labelSelector"), canarySelector(name));
        return json(res, 200, { kind: "PodList", apiVersion: "v1", metadata: {}, items: pods[name] ?? [] });
      }
      json(res, 404, { kind: "Status", code: 404 });
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-k8s-"));
    kubeconfig = path.join(dir, "kubeconfig");
    fs.writeFileSync(
      kubeconfig,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters: [{name: test, cluster: {server: '" + api.url + "', insecure-skip-tls-verify: true}}]",
        "users: [{name: test, user: {token: test-token}}]",
        "contexts: [{name: test, context: {cluster: test, user: test}}]",
        "current-context: test",
      ].join("\n"),
    );
  });
  after(async () => {
    await api.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    status = 200;
    hang = false;
    for (const k of Object.keys(pods)) delete pods[k];
    for (const k of Object.keys(replicas)) delete replicas[k];
  });
}

const check = (services = ["api-gateway"], path = kubeconfig) =>
  runGates(createProviders([{ provider: "kubernetes" }]), gateContext({ services, kubeconfigPath: path }), {
    timeoutMs: 5000,
  });

describe("#kubernetes gate: against a Kubernetes API server", () => {
  fakeApiServer();

  it("passes when the canary pods of every released service are ready", async () => {
    pods["api-gateway"] = [pod("a"), pod("b")];
    pods["data-service"] = [pod("c")];
    replicas["api-gateway"] = 2;
    replicas["data-service"] = 1;
    const [v] = await check(["api-gateway", "data-service"]);
    assert.equal(v.ok, true, v.detail);
    assert.equal(v.provider, "kubernetes");
    assert.match(v.detail, /data-service: 1\/1 canary pods ready/);
  });

  it("fails when one released service has a restarting canary", async () => {
    pods["api-gateway"] = [pod("a")];
    pods["data-service"] = [pod("c", { restarts: 1, reason: "Error" })];
    replicas["api-gateway"] = 1;
    replicas["data-service"] = 1;
    const [v] = await check(["api-gateway", "data-service"]);
    assert.equal(v.ok, false);
    assert.match(v.detail, /data-service: c: app restarted 1x \(Error\)/);
  });

  it("fails when the canary Deployment does not exist", async () => {
    pods["api-gateway"] = [pod("a")];
    const [v] = await check();
    assert.equal(v.ok, false);
    assert.match(v.detail, /Deployment api-gateway-canary not found/);
  });
});

describe("#kubernetes gate: when the API server refuses, hangs or cannot be configured", () => {
  fakeApiServer();

  it("fails with the API's message when access is refused", async () => {
    status = 403;
    const [v] = await check();
    assert.equal(v.ok, false);
    assert.match(v.detail, /403/);
  });

  it("fails when the API server does not answer in time", async () => {
    hang = true;
    const [v] = await runGates(
      createProviders([{ provider: "kubernetes" }]),
      gateContext({ kubeconfigPath: kubeconfig }),
      { timeoutMs: 150 },
    );
    assert.equal(v.ok, false);
    assert.match(v.detail, /timed out/);
  });

  it("fails when the kubeconfig cannot be read", async () => {
    const [v] = await check(["api-gateway"], path.join(dir, "missing"));
    assert.equal(v.ok, false);
    assert.match(v.detail, /cannot load the kubeconfig/);
  });
});
