// The applied weight as the cluster holds it, read through the Kubernetes API from a stand-in API server on loopback.
import { strict as assert } from "assert";
import { loopbackKubeconfig } from "./loopbackKubeconfig";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { clusterWeights, weightsOff } from "../../../automation/engine/weights";

const split = (name: string, weight?: string) => ({
  metadata: { name, annotations: weight === undefined ? {} : { "slipway.dev/canary-weight": weight } },
});

describe("the applied weight read from the cluster", () => {
  let server: http.Server;
  let kubeconfig: string;
  const paths: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      paths.push(req.url ?? "");
      const items = req.url?.startsWith("/apis/split.smi-spec.io/v1alpha4/namespaces/slipway-local/trafficsplits")
        ? [split("api-gateway", "30"), split("audit-service", "30"), split("data-service")]
        : req.url?.startsWith("/apis/networking.k8s.io/v1/namespaces/slipway-local/ingresses")
          ? [split("api-gateway", "10")]
          : undefined;
      res.writeHead(items ? 200 : 404, { "content-type": "application/json" });
      res.end(
        JSON.stringify(items ? { apiVersion: "v1", kind: "List", metadata: {}, items } : { kind: "Status", code: 404 }),
      );
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    kubeconfig = loopbackKubeconfig(port, "slipway-weights-");
  });
  after(() => {
    server.close();
    fs.rmSync(path.dirname(kubeconfig), { recursive: true, force: true });
  });

  it("reads every service's TrafficSplit annotation in one list call; a missing annotation or object is NaN", async () => {
    paths.length = 0;
    const w = await clusterWeights(
      {
        namespace: "slipway-local",
        router: "smi",
        services: ["api-gateway", "audit-service", "data-service", "cache-service"],
        kubeconfigPath: kubeconfig,
      },
      new AbortController().signal,
    );
    assert.deepEqual(w, { "api-gateway": 30, "audit-service": 30, "data-service": NaN, "cache-service": NaN });
    assert.equal(paths.length, 1);
  });

  it("reads Ingresses for the alb router", async () => {
    const w = await clusterWeights(
      { namespace: "slipway-local", router: "alb", services: ["api-gateway"], kubeconfigPath: kubeconfig },
      new AbortController().signal,
    );
    assert.deepEqual(w, { "api-gateway": 10 });
  });

  it("says nothing without a kubeconfig, and fails when the API refuses", async () => {
    assert.equal(
      await clusterWeights(
        { namespace: "n", router: "smi", services: ["a"], kubeconfigPath: "/nonexistent/kubeconfig" },
        new AbortController().signal,
      ),
      undefined,
    );
    await assert.rejects(
      clusterWeights(
        { namespace: "other", router: "smi", services: ["a"], kubeconfigPath: kubeconfig },
        new AbortController().signal,
      ),
    );
  });
});

describe("the one read-back check of an applied weight (steps, prepare and rollback alike)", () => {
  const ctx = { namespace: "n", router: "smi", services: ["api-gateway", "data-service"] };
  const signal = new AbortController().signal;
  const cases: [string, Record<string, number> | undefined | "no reader", number, string[] | undefined][] = [
    ["every service at the weight", { "api-gateway": 30, "data-service": 30 }, 30, []],
    ["one service elsewhere", { "api-gateway": 30, "data-service": 10 }, 30, ["data-service"]],
    ["a missing annotation (NaN) counts as wrong", { "api-gateway": 0, "data-service": NaN }, 0, ["data-service"]],
    ["a service the cluster does not list counts as wrong", { "api-gateway": 0 }, 0, ["data-service"]],
    ["no kubeconfig: cannot tell", undefined, 0, undefined],
    ["no reader: cannot tell", "no reader", 0, undefined],
  ];
  for (const [what, applied, weight, off] of cases)
    it(`names the services off ${weight}%: ${what}`, async () => {
      const read = applied === "no reader" ? undefined : async () => applied;
      assert.deepEqual(await weightsOff(read, ctx, weight, signal), off);
    });
});
