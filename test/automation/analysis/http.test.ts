import { strict as assert } from "node:assert";
import { createProviders, runGates } from "../../../automation/analysis";
import { evaluateHttpAnswer } from "../../../automation/analysis/http";
import { gateContext, refusedUrl, serve, TestServer } from "./server";

let server: TestServer;
let health = { status: 200, body: '{"status":"UP"}' };
let delayMs = 0;

/** A health endpoint answering `health` after `delayMs`, for the describe block that calls it. */
function healthServer(): void {
  before(async () => {
    server = await serve((_req, res) => {
      setTimeout(() => {
        res.writeHead(health.status, { "content-type": "application/json" });
        res.end(health.body);
      }, delayMs);
    });
  });
  after(() => server.close());
  beforeEach(() => {
    health = { status: 200, body: '{"status":"UP"}' };
    delayMs = 0;
    server.requests.length = 0;
  });
}

const gate = (url: string, extra: { status?: number; body?: string } = { body: "UP" }) =>
  createProviders([{ provider: "http", url, ...extra }]);

describe("#http gate", () => {
  healthServer();

  it("passes when /health answers 200 and says UP", async () => {
    const [v] = await runGates(gate(`${server.url}/health`), gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, true, v.detail);
    assert.equal(v.provider, "http");
    assert.match(v.detail, /status 200, body contains "UP"/);
  });

  it("substitutes $service, $namespace and $version and checks every released service", async () => {
    const ctx = gateContext({ services: ["api-gateway", "data-service"] });
    const [v] = await runGates(gate(`${server.url}/$namespace/$service/health?v=$version`), ctx, { timeoutMs: 2000 });
    assert.equal(v.ok, true, v.detail);
    assert.deepEqual([...server.requests].sort(), [
      "/slipway/api-gateway/health?v=1.4.0",
      "/slipway/data-service/health?v=1.4.0",
    ]);
  });

  it("fails when the body does not say UP", async () => {
    health = { status: 200, body: '{"status":"DOWN"}' };
    const [v] = await runGates(gate(`${server.url}/health`), gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, false);
    assert.match(v.detail, /lacks "UP".*DOWN/);
  });

  it("fails on a 500 and names the status", async () => {
    health = { status: 500, body: "boom" };
    const [v] = await runGates(gate(`${server.url}/health`), gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, false);
    assert.match(v.detail, /status 500, expected 200 \(body: boom\)/);
  });

  it("accepts a configured non-200 status", async () => {
    health = { status: 204, body: "" };
    const [v] = await runGates(gate(`${server.url}/health`, { status: 204 }), gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, true, v.detail);
  });
});

describe("#http gate: unreachable, slow and interrupted endpoints", () => {
  healthServer();

  it("fails when the server does not answer within the timeout", async () => {
    delayMs = 1000;
    const [v] = await runGates(gate(`${server.url}/health`), gateContext(), { timeoutMs: 100 });
    assert.equal(v.ok, false);
    assert.match(v.detail, /timed out/);
    assert.ok(v.durationMs < 900, `took ${v.durationMs} ms`);
  });

  it("fails when the connection is refused and names the cause", async () => {
    const [v] = await runGates(gate(`${await refusedUrl()}/health`), gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, false);
    assert.match(v.detail, /ECONNREFUSED/);
  });

  it("fails when one of several services is unhealthy", async () => {
    const s = await serve((req, res) => {
      res.writeHead(req.url?.includes("data-service") ? 503 : 200);
      res.end("UP");
    });
    try {
      const ctx = gateContext({ services: ["api-gateway", "data-service"] });
      const [v] = await runGates(gate(`${s.url}/$service/health`), ctx, { timeoutMs: 2000 });
      assert.equal(v.ok, false);
      assert.match(v.detail, /data-service\/health: status 503/);
    } finally {
      await s.close();
    }
  });

  it("judges answers without a server", () => {
    assert.equal(evaluateHttpAnswer({ url: "x" }, { status: 200, body: "" }).ok, true);
    assert.equal(evaluateHttpAnswer({ url: "x", body: "UP" }, { status: 200, body: "" }).ok, false);
    assert.equal(evaluateHttpAnswer({ url: "x" }, { status: 301, body: "" }).ok, false);
  });

  it("never passes a check that was interrupted", async () => {
    delayMs = 1000;
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const [v] = await runGates(gate(`${server.url}/health`), gateContext(), { timeoutMs: 5000, signal: ac.signal });
    assert.equal(v.ok, false);
    assert.match(v.detail, /interrupted/);
  });
});
