import { strict as assert } from "node:assert";
import { ERROR_RATE_QUERY, P95_LATENCY_QUERY } from "../../../automation/analysis";
import { classifyUrl, unreachableFromRunner } from "../../../automation/analysis/endpoint";
import { ConfigError, parseStackConfig } from "../../../stacks/config";
import { stackFileConfig } from "../../helpers/stack";

const canary = (analysis: unknown[]) => ({ ...stackFileConfig("dev"), "slipway:canary": JSON.stringify({ analysis }) });
const gatesOf = (stack: string) => parseStackConfig(stack, stackFileConfig(stack)).canary.analysis;

describe("#committed-gates: the dev, staging and prod stacks' gates work from a CI runner", () => {
  for (const stack of ["dev", "staging", "prod"]) {
    it(`${stack}: every gate URL is a Service reached through the API server or a host a runner resolves`, () => {
      const config = parseStackConfig(stack, stackFileConfig(stack));
      for (const g of config.canary.analysis) {
        if (g.url === undefined) continue;
        const url = g.url
          .replaceAll("$service", "api-gateway")
          .replaceAll("$namespace", config.namespace)
          .replaceAll("$version", "1.0.0");
        assert.equal(unreachableFromRunner(url, g.via), undefined, `${stack}: ${g.provider} ${g.url}`);
        if (/\.svc(\.cluster\.local)?$/.test(new URL(url).hostname))
          assert.equal(classifyUrl(url, g.via).via, "kubernetes-proxy", url);
      }
    });
  }

  it("prod carries the seeds' gates: rollout, error rate < 1%, p95 < 100 ms through the proxy, /health UP, smoke tests", () => {
    const gates = gatesOf("prod");
    assert.ok(gates.some((g) => g.provider === "kubernetes"));
    const prom = gates.filter((g) => g.provider === "prometheus");
    assert.deepEqual(
      prom.map((g) => [g.query, g.max]),
      [
        [ERROR_RATE_QUERY, 0.01],
        [P95_LATENCY_QUERY, 0.1],
      ],
    );
    for (const g of prom) assert.equal(classifyUrl(g.url ?? "").via, "kubernetes-proxy");
    const health = gates.find((g) => g.provider === "http");
    assert.equal(health?.body, "UP");
    assert.match(health?.url ?? "", /^http:\/\/\$service-canary\.\$namespace\.svc\.cluster\.local\/health$/);
    const smoke = gates.find((g) => g.provider === "job");
    assert.deepEqual(smoke?.command, ["src/test/scripts/run_smoke_tests.sh"]);
    assert.deepEqual(smoke?.args, ["--environment", "production"]);
    // prod runs every image by digest: the smoke-test suite's own, pinned
    assert.match(smoke?.image ?? "", /\/smoke-tests@sha256:[0-9a-f]{64}$/);
  });
});

describe("#gate-config", () => {
  it("refuses a gate URL only cluster DNS resolves, naming the key and the fix", () => {
    assert.throws(
      () =>
        parseStackConfig(
          "dev",
          canary([{ provider: "prometheus", url: "http://prometheus:9090", query: "up", max: 1 }]),
        ),
      (e: Error) =>
        e instanceof ConfigError &&
        /slipway:canary\.analysis\[0\]\.url.*resolves only inside the cluster.*NAME\.NAMESPACE\.svc\.cluster\.local.*set via/.test(
          e.message,
        ),
    );
  });

  it("accepts a short name when via says how it is reached", () => {
    const [g] = parseStackConfig(
      "dev",
      canary([{ provider: "http", url: "http://prometheus.monitoring:9090", via: "kubernetes-proxy" }]),
    ).canary.analysis;
    assert.equal(g.via, "kubernetes-proxy");
  });

  it("refuses an unknown via", () => {
    assert.throws(
      () => parseStackConfig("dev", canary([{ provider: "http", url: "https://x.example.com", via: "tunnel" }])),
      /via.*set direct or kubernetes-proxy/,
    );
  });

  it("reads a job gate with its timeout in milliseconds and a default name", () => {
    const [g] = parseStackConfig(
      "dev",
      canary([
        { provider: "job", image: "registry.local/smoke:$version", args: ["--environment", "dev"], timeout: "90s" },
      ]),
    ).canary.analysis;
    assert.deepEqual(g, {
      provider: "job",
      image: "registry.local/smoke:$version",
      args: ["--environment", "dev"],
      name: "gate-job",
      timeout: 90_000,
    });
  });

  for (const image of ["registry.local/smoke", "registry.local/smoke:latest", "registry.local:5000/smoke"]) {
    it(`refuses a job image that is not pinned: ${image}`, () => {
      assert.throws(
        () => parseStackConfig("dev", canary([{ provider: "job", image }])),
        /analysis\[0\]\.image.*pinned tag or digest/,
      );
    });
  }

  it("accepts a job image pinned by digest", () => {
    const image = `registry.local:5000/smoke@sha256:${"a".repeat(64)}`;
    assert.equal(parseStackConfig("dev", canary([{ provider: "job", image }])).canary.analysis[0].image, image);
  });
});
