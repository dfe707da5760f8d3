import { strict as assert } from "node:assert";
import { classifyUrl, proxyPath, ProxyRoute, unreachableFromRunner } from "../../../automation/analysis/endpoint";

function proxied(url: string, via?: "direct" | "kubernetes-proxy", ns?: string): ProxyRoute {
  const r = classifyUrl(url, via, ns);
  assert.equal(r.via, "kubernetes-proxy", `${url} was not routed through the API server`);
  return r as ProxyRoute;
}

describe("#gate-endpoint: URL classification", () => {
  const services: Array<[string, Partial<ProxyRoute>]> = [
    [
      "http://prometheus-server.monitoring.svc.cluster.local",
      { service: "prometheus-server", namespace: "monitoring", port: 80, scheme: "http", path: "/" },
    ],
    [
      "http://prometheus-server.monitoring.svc:9090/api/v1/query?query=up",
      { port: 9090, path: "/api/v1/query?query=up" },
    ],
    [
      "https://api-gateway-canary.slipway-prod.svc.cluster.local/health",
      { scheme: "https", port: 443, path: "/health" },
    ],
    ["https://web.ns.svc.cluster.local:8443/x", { scheme: "https", port: 8443 }],
    ["http://API-Gateway.Slipway.SVC.cluster.local./health", { service: "api-gateway", namespace: "slipway" }],
  ];
  for (const [url, want] of services) {
    it(`routes ${url} through the API server's service proxy`, () => {
      const r = proxied(url);
      for (const [k, v] of Object.entries(want)) assert.equal(r[k as keyof ProxyRoute], v, k);
    });
  }

  const direct = [
    "https://prometheus.example.com/api/v1/query",
    "http://10.0.0.7:9090",
    "http://127.0.0.1:8080/health",
    "http://[::1]:9090",
    "http://localhost:9090",
    "http://svc.cluster.local.example.com/",
    "http://a.b.c.svc.cluster.local/",
  ];
  for (const url of direct) {
    it(`calls ${url} directly`, () => assert.equal(classifyUrl(url).via, "direct"));
  }

  it("signs Amazon Managed Prometheus workspace URLs for the workspace's region", () => {
    const r = classifyUrl("https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/query?query=up");
    assert.deepEqual(r, {
      via: "direct",
      url: "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/query?query=up",
      awsRegion: "eu-west-1",
    });
    assert.equal((classifyUrl("https://prometheus.example.com/") as { awsRegion?: string }).awsRegion, undefined);
  });

  it("calls a Service name directly when via is direct (a runner inside the cluster)", () => {
    assert.equal(classifyUrl("http://prometheus-server.monitoring.svc.cluster.local", "direct").via, "direct");
  });

  it("proxies short Service names when via is kubernetes-proxy, a bare name in the stack's namespace", () => {
    assert.equal(proxied("http://prometheus.monitoring:9090", "kubernetes-proxy").namespace, "monitoring");
    const bare = proxied("http://api-gateway-canary/health", "kubernetes-proxy", "slipway-prod");
    assert.equal(bare.namespace, "slipway-prod");
    assert.equal(bare.service, "api-gateway-canary");
  });

  it("refuses via kubernetes-proxy for a host that names no Service, naming the fix", () => {
    assert.throws(() => classifyUrl("http://10.0.0.7:9090", "kubernetes-proxy"), /names no Service .*set via: direct/);
    assert.throws(() => classifyUrl("https://prometheus.example.com", "kubernetes-proxy"), /names no Service/);
  });

  it("refuses what is not an http(s) URL", () => {
    assert.throws(() => classifyUrl("not a url"), /is not a URL/);
    assert.throws(() => classifyUrl("ftp://x.ns.svc/"), /not an http\(s\) URL/);
  });
});

describe("#gate-endpoint: service proxy path", () => {
  it("names the Service and port, with the path and query after /proxy", () => {
    const r = proxied("http://prometheus-server.monitoring.svc.cluster.local/api/v1/query?query=sum%28up%29");
    assert.equal(
      proxyPath(r),
      "/api/v1/namespaces/monitoring/services/prometheus-server:80/proxy/api/v1/query?query=sum%28up%29",
    );
  });

  it("keeps an explicit port and an empty path as /", () => {
    assert.equal(proxyPath(proxied("http://web.ns.svc:9090")), "/api/v1/namespaces/ns/services/web:9090/proxy/");
  });

  it("asks for https to the Service when the URL does", () => {
    assert.equal(
      proxyPath(proxied("https://web.ns.svc.cluster.local/health")),
      "/api/v1/namespaces/ns/services/https:web:443/proxy/health",
    );
  });
});

describe("#gate-endpoint: reachable from a runner", () => {
  it("accepts Service names, public hosts, IPs and any URL with via set", () => {
    for (const url of [
      "http://p.monitoring.svc.cluster.local",
      "https://prometheus.example.com",
      "http://10.0.0.1:9090",
    ]) {
      assert.equal(unreachableFromRunner(url), undefined, url);
    }
    assert.equal(unreachableFromRunner("http://prometheus:9090", "direct"), undefined);
    assert.equal(unreachableFromRunner("http://prometheus.monitoring:9090", "kubernetes-proxy"), undefined);
  });

  it("refuses hosts only cluster DNS resolves, naming the fix", () => {
    for (const url of [
      "http://prometheus:9090",
      "http://x.y.z.svc.cluster.local",
      "http://10-0-0-1.ns.pod.cluster.local",
    ]) {
      assert.match(
        unreachableFromRunner(url) ?? "",
        /resolves only inside the cluster; write NAME\.NAMESPACE\.svc\.cluster\.local, or set via/,
        url,
      );
    }
  });
});
