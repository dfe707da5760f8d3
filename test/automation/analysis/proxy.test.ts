import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { createProviders, ERROR_RATE_QUERY, runGates } from "../../../automation/analysis";
import { signedGetHeaders } from "../../../automation/analysis/sigv4";
import { gateContext, json, serve, TestServer } from "./server";

const PROMETHEUS = "http://prometheus-server.monitoring.svc.cluster.local";

let api: TestServer;
let dir: string;
let kubeconfig: string;
let headers: IncomingHttpHeaders[];
let reply: (pathname: string, query: URLSearchParams) => { status: number; body: unknown } | "hang" | "empty";

/** A fake API server answering `reply`, and a kubeconfig for it, for the describe block that calls it. */
function fakeApiServer(): void {
  before(async () => {
    headers = [];
    api = await serve((req, res) => {
      headers.push(req.headers);
      const url = new URL(req.url ?? "/", "http://x");
      const r = reply(url.pathname, url.searchParams);
      if (r === "empty") res.writeHead(200).end();
      else if (r !== "hang") json(res, r.status, r.body);
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-proxy-"));
    kubeconfig = path.join(dir, "kubeconfig");
    fs.writeFileSync(
      kubeconfig,
      [
        "apiVersion: v1",
        "kind: Config",
        `clusters: [{name: test, cluster: {server: '${api.url}', insecure-skip-tls-verify: true}}]`,
        "users: [{name: test, user: {token: proxy-token}}]",
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
    headers.length = 0;
    api.requests.length = 0;
  });
}

const ctx = () => gateContext({ kubeconfigPath: kubeconfig, namespace: "slipway" });

describe("#gate-endpoint: in-cluster URLs through the API server's service proxy", () => {
  fakeApiServer();

  it("asks the http gate's in-cluster URL through the proxy with the kubeconfig's credentials", async () => {
    reply = (p) =>
      p === "/api/v1/namespaces/slipway/services/api-gateway-canary:80/proxy/health"
        ? { status: 200, body: { status: "UP" } }
        : { status: 404, body: {} };
    const gates = createProviders([
      { provider: "http", url: "http://$service-canary.$namespace.svc.cluster.local/health", body: "UP" },
    ]);
    const [v] = await runGates(gates, ctx(), { timeoutMs: 3000 });
    assert.equal(v.ok, true, v.detail);
    assert.deepEqual(api.requests, ["/api/v1/namespaces/slipway/services/api-gateway-canary:80/proxy/health"]);
    assert.equal(headers[0].authorization, "Bearer proxy-token");
    assert.match(v.detail, /through the API server: services\/api-gateway-canary:80\/proxy/);
  });

  it("sends a Prometheus query, with its query string, through the proxy", async () => {
    reply = (p, q) =>
      p === "/api/v1/namespaces/monitoring/services/prometheus-server:80/proxy/api/v1/query" &&
      q.get("query")?.includes('app_kubernetes_io_name="api-gateway"')
        ? {
            status: 200,
            body: { status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [1, "0.05"] }] } },
          }
        : { status: 404, body: {} };
    const [v] = await runGates(
      createProviders([{ provider: "prometheus", url: PROMETHEUS, query: ERROR_RATE_QUERY, max: 0.01 }]),
      ctx(),
      { timeoutMs: 3000 },
    );
    assert.equal(v.ok, false);
    assert.equal(v.value, 0.05);
    assert.match(v.detail, /^sum\(rate\(http_requests_total.* -> api-gateway: 0\.05 > max 0\.01$/);
  });

  it("fails with the API server's message when the proxy cannot reach the Service", async () => {
    reply = () => ({
      status: 503,
      body: {
        kind: "Status",
        status: "Failure",
        message: 'no endpoints available for service "prometheus-server"',
        code: 503,
      },
    });
    const [v] = await runGates(
      createProviders([{ provider: "prometheus", url: PROMETHEUS, query: "up", max: 1 }]),
      ctx(),
      { timeoutMs: 3000 },
    );
    assert.equal(v.ok, false);
    assert.match(v.detail, /HTTP 503: no endpoints available for service "prometheus-server"/);
  });
});

describe("#gate-endpoint: the service proxy's failures, and via: direct", () => {
  fakeApiServer();

  it("fails on an empty answer", async () => {
    reply = () => "empty";
    const [v] = await runGates(
      createProviders([{ provider: "prometheus", url: PROMETHEUS, query: "up", max: 1 }]),
      ctx(),
      { timeoutMs: 3000 },
    );
    assert.equal(v.ok, false);
    assert.match(v.detail, /HTTP 200 with a body that is not JSON: empty/);
  });

  it("fails when the API server does not answer in time", async () => {
    reply = () => "hang";
    const [v] = await runGates(createProviders([{ provider: "http", url: "http://web.slipway.svc/health" }]), ctx(), {
      timeoutMs: 200,
    });
    assert.equal(v.ok, false);
    assert.match(v.detail, /timed out/);
  });

  it("fails naming the kubeconfig when it cannot be read", async () => {
    const gates = createProviders([{ provider: "http", url: "http://web.slipway.svc/health" }]);
    const [v] = await runGates(gates, gateContext({ kubeconfigPath: path.join(dir, "missing") }), { timeoutMs: 2000 });
    assert.equal(v.ok, false);
    assert.match(v.detail, /web\.slipway\.svc\/health \(through the API server.*ENOENT/);
  });

  it("calls a Service name directly when via is direct", async () => {
    const direct: string[] = [];
    const fetchFn = (async (url: string | URL | Request) => {
      direct.push(String(url));
      return new Response("UP", { status: 200 });
    }) as typeof fetch;
    const gates = createProviders([{ provider: "http", url: "http://web.slipway.svc/health", via: "direct" }], {
      transport: { fetch: fetchFn },
    });
    const [v] = await runGates(gates, ctx(), { timeoutMs: 2000 });
    assert.equal(v.ok, true, v.detail);
    assert.deepEqual(direct, ["http://web.slipway.svc/health"]);
    assert.deepEqual(api.requests, []);
  });
});

describe("#gate-endpoint: Amazon Managed Service for Prometheus (SigV4)", () => {
  const example = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

  it("gives the AWS test suite's known signature for its get-vanilla request and key", async () => {
    const h = await signedGetHeaders({
      url: "https://example.amazonaws.com/",
      region: "us-east-1",
      service: "service",
      credentials: example,
      at: new Date("2015-08-30T12:36:00Z"),
    });
    assert.equal(h["x-amz-date"], "20150830T123600Z");
    assert.equal(
      h.authorization,
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, " +
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    );
  });

  it("signs a workspace query for aps in the workspace's region, with the session token, through the credential chain", async () => {
    const seen: Array<{ url: string; headers: Record<string, string> }> = [];
    const fetchFn = (async (url: string | URL | Request, init?: RequestInit) => {
      seen.push({ url: String(url), headers: init?.headers as Record<string, string> });
      return Response.json({
        status: "success",
        data: { resultType: "vector", result: [{ metric: {}, value: [1, "0.001"] }] },
      });
    }) as typeof fetch;
    const url = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0a1b2c3d";
    const credentials = async () => ({ ...example, sessionToken: "session-from-oidc" });
    const gates = createProviders([{ provider: "prometheus", url, query: "up", max: 0.01 }], {
      transport: { fetch: fetchFn, awsCredentials: () => credentials },
    });
    const [v] = await runGates(gates, gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, true, v.detail);
    assert.equal(seen.length, 1);
    assert.equal(seen[0].url, `${url}/api/v1/query?query=up`);
    assert.match(
      seen[0].headers.authorization,
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/aps\/aws4_request, SignedHeaders=accept;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
    assert.equal(seen[0].headers["x-amz-security-token"], "session-from-oidc");
  });

  it("fails the gate, naming the cause, when no AWS credentials can be found", async () => {
    const fetchFn = (async () => Response.json({})) as unknown as typeof fetch;
    const none = async () => {
      throw new Error("Could not load credentials from any providers");
    };
    const gates = createProviders(
      [
        {
          provider: "prometheus",
          url: "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1",
          query: "up",
          max: 1,
        },
      ],
      {
        transport: { fetch: fetchFn, awsCredentials: () => none },
      },
    );
    const [v] = await runGates(gates, gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, false);
    assert.match(v.detail, /SigV4, us-east-1\): Could not load credentials from any providers/);
  });
});
