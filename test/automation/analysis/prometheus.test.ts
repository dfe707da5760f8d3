import { strict as assert } from "node:assert";
import {
  createProviders,
  ERROR_RATE_QUERY,
  P95_LATENCY_QUERY,
  runGates,
  seedPrometheusGates,
} from "../../../automation/analysis";
import { evaluatePrometheusAnswer, queryUrl } from "../../../automation/analysis/prometheus";
import { gateContext, json, refusedUrl, serve, TestServer } from "./server";

const vector = (...values: string[]) => ({
  status: "success",
  data: { resultType: "vector", result: values.map((v) => ({ metric: {}, value: [1700000000.1, v] })) },
});

let server: TestServer;
let answer: (query: string) => { status: number; body: unknown; delayMs?: number };
const queries: string[] = [];

/** A Prometheus query endpoint answering `answer(query)`, for the describe block that calls it. */
function prometheusServer(): void {
  before(async () => {
    server = await serve((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname !== "/api/v1/query") return json(res, 404, "404 page not found");
      const query = url.searchParams.get("query") ?? "";
      queries.push(query);
      const a = answer(query);
      setTimeout(() => json(res, a.status, a.body), a.delayMs ?? 0);
    });
  });
  after(() => server.close());
  beforeEach(() => {
    queries.length = 0;
    answer = () => ({ status: 200, body: vector("0.002") });
  });
}

const gate = (max = 0.01, query = ERROR_RATE_QUERY, url = server.url) =>
  createProviders([{ provider: "prometheus", url, query, max }]);

describe("#prometheus gate", () => {
  prometheusServer();

  it("passes when the error rate is under 1%", async () => {
    const [v] = await runGates(gate(), gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, true, v.detail);
    assert.equal(v.value, 0.002);
    assert.match(v.detail, /0\.002 <= max 0\.01/);
  });

  it("substitutes $service, $namespace and $version into the PromQL", async () => {
    await runGates(gate(), gateContext({ services: ["api-gateway", "cache-service"] }), { timeoutMs: 2000 });
    assert.equal(queries.length, 2);
    for (const q of queries) {
      assert.ok(!q.includes("$"), q);
      assert.match(q, /namespace="slipway"/);
      assert.match(q, /app_kubernetes_io_version="1\.4\.0"/);
    }
    assert.ok(queries.some((q) => q.includes('app_kubernetes_io_name="cache-service"')));
  });

  it("fails when the p95 latency is over 100 ms", async () => {
    answer = () => ({ status: 200, body: vector("0.142") });
    const [v] = await runGates(gate(0.1, P95_LATENCY_QUERY), gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, false);
    assert.equal(v.value, 0.142);
    assert.match(v.detail, /0\.142 > max 0\.1/);
  });

  it("fails when any series is over the threshold", async () => {
    answer = () => ({ status: 200, body: vector("0.001", "0.5") });
    const [v] = await runGates(gate(), gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, false);
    assert.equal(v.value, 0.5);
  });

  it("fails on an empty result", async () => {
    answer = () => ({ status: 200, body: vector() });
    const [v] = await runGates(gate(), gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, false);
    assert.match(v.detail, /empty result/);
  });
});

describe("#prometheus gate: answers that are no measurement", () => {
  prometheusServer();

  it("fails on NaN (no requests in the window)", async () => {
    answer = () => ({ status: 200, body: vector("NaN") });
    const [v] = await runGates(gate(), gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, false);
    assert.match(v.detail, /NaN/);
  });

  it("fails on a 500 and reports Prometheus's error", async () => {
    answer = () => ({ status: 500, body: { status: "error", errorType: "internal", error: "storage down" } });
    const [v] = await runGates(gate(), gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, false);
    assert.match(v.detail, /HTTP 500: query failed: internal: storage down/);
  });

  it("fails on a 400 bad query", async () => {
    answer = () => ({ status: 400, body: { status: "error", errorType: "bad_data", error: "parse error" } });
    const [v] = await runGates(gate(), gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, false);
    assert.match(v.detail, /HTTP 400: query failed: bad_data: parse error/);
  });

  it("fails on malformed JSON", async () => {
    answer = () => ({ status: 200, body: '{"status":"success","data":' });
    const [v] = await runGates(gate(), gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, false);
    assert.match(v.detail, /not JSON/);
  });

  it("fails when the answer does not have Prometheus's shape", async () => {
    answer = () => ({ status: 200, body: { hello: "world" } });
    const [v] = await runGates(gate(), gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, false);
    assert.match(v.detail, /query failed/);
  });
});

describe("#prometheus gate: unreachable endpoints, answer shapes and the seeds", () => {
  prometheusServer();

  it("fails when Prometheus does not answer within the timeout", async () => {
    answer = () => ({ status: 200, body: vector("0"), delayMs: 1000 });
    const [v] = await runGates(gate(), gateContext(), { timeoutMs: 100 });
    assert.equal(v.ok, false);
    assert.match(v.detail, /timed out/);
  });

  it("fails when the connection is refused", async () => {
    const [v] = await runGates(gate(0.01, ERROR_RATE_QUERY, await refusedUrl()), gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, false);
    assert.match(v.detail, /ECONNREFUSED/);
  });

  it("reads scalar answers", () => {
    assert.deepEqual(
      evaluatePrometheusAnswer({ status: "success", data: { resultType: "scalar", result: [1, "0"] } }, 0.01),
      {
        ok: true,
        value: 0,
        detail: "0 <= max 0.01",
      },
    );
  });

  it("builds the query URL under /api/v1/query", () => {
    assert.equal(queryUrl("http://p:9090/", "up == 1"), "http://p:9090/api/v1/query?query=up+%3D%3D+1");
  });

  it("ships the seeds' gates: error rate < 1% and p95 < 100 ms", () => {
    const [errors, p95] = seedPrometheusGates("http://prometheus:9090");
    assert.equal(errors.max, 0.01);
    assert.match(errors.query, /status=~"5\.\."/);
    assert.equal(p95.max, 0.1);
    assert.match(p95.query, /histogram_quantile\(0\.95/);
  });
});
