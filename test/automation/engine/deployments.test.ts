// The Deployments `status --watch` shows, read through the Kubernetes API from a stand-in API server on loopback:
// one LIST per namespace per poll, never one GET per service.
import { strict as assert } from "assert";
import { loopbackKubeconfig } from "./loopbackKubeconfig";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { clusterDeployments, deploymentState } from "../../../automation/engine/deployments";

const deployment = (name: string, version: string | undefined, ready: number | undefined, replicas: number) => ({
  metadata: { name, labels: version ? { "app.kubernetes.io/version": version } : {} },
  spec: { replicas, template: { metadata: { labels: { "app.kubernetes.io/version": "template" } } } },
  status: ready === undefined ? {} : { readyReplicas: ready },
});

describe("the Deployments of a stack's namespace", () => {
  let server: http.Server;
  let kubeconfig: string;
  const paths: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      paths.push(req.url ?? "");
      const ok = req.url?.startsWith("/apis/apps/v1/namespaces/slipway-local/deployments");
      const items = [deployment("api-gateway-stable", "1.3.0", 3, 3), deployment("api-gateway-canary", "1.4.0", 0, 1)];
      res.writeHead(ok ? 200 : 404, { "content-type": "application/json" });
      res.end(JSON.stringify(ok ? { apiVersion: "apps/v1", kind: "DeploymentList", metadata: {}, items } : {}));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    kubeconfig = loopbackKubeconfig(port, "slipway-deployments-");
  });
  after(() => {
    server.close();
    fs.rmSync(path.dirname(kubeconfig), { recursive: true, force: true });
  });

  it("lists them in one call, each with its version and ready pods of desired", async () => {
    paths.length = 0;
    const found = await clusterDeployments(
      { namespace: "slipway-local", kubeconfigPath: kubeconfig },
      new AbortController().signal,
    );
    assert.deepEqual(found, [
      { name: "api-gateway-stable", version: "1.3.0", ready: 3, replicas: 3 },
      { name: "api-gateway-canary", version: "1.4.0", ready: 0, replicas: 1 },
    ]);
    assert.equal(paths.length, 1);
    assert.match(paths[0], /^\/apis\/apps\/v1\/namespaces\/slipway-local\/deployments/);
  });

  it("reads nothing without a kubeconfig", async () => {
    for (const kubeconfigPath of [undefined, "/nonexistent/kubeconfig"])
      assert.equal(
        await clusterDeployments({ namespace: "slipway-local", kubeconfigPath }, new AbortController().signal),
        undefined,
      );
  });

  it("takes the version from the pod template when the Deployment carries no label, and counts no status as 0 ready", () => {
    assert.deepEqual(deploymentState(deployment("x", undefined, undefined, 2) as never), {
      name: "x",
      version: "template",
      ready: 0,
      replicas: 2,
    });
  });
});
