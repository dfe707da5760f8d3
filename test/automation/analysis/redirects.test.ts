import { strict as assert } from "node:assert";
import type { IncomingHttpHeaders } from "node:http";
import { createProviders, runGates } from "../../../automation/analysis";
import { MAX_REDIRECTS } from "../../../automation/analysis/transport";
import { gateContext, json, serve, TestServer } from "./server";

// Two servers on 127.0.0.1 with different ports are two origins: the gate's endpoint and somewhere else.
let home: TestServer;
let elsewhere: TestServer;
let homeHeaders: IncomingHttpHeaders[];
let elsewhereHeaders: IncomingHttpHeaders[];
const SAMPLE = { status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [1, "0.001"] }] } };

function redirect(res: import("node:http").ServerResponse, location: string): void {
  res.writeHead(302, { location }).end();
}

function twoOrigins(): void {
  before(async () => {
    elsewhere = await serve((req, res) => {
      elsewhereHeaders.push(req.headers);
      if (req.url?.startsWith("/api/v1/query")) json(res, 200, SAMPLE);
      else res.writeHead(200).end("UP");
    });
    home = await serve((req, res) => {
      homeHeaders.push(req.headers);
      const url = new URL(req.url ?? "/", "http://x");
      const hops = Number(url.searchParams.get("hops") ?? "0");
      if (url.pathname === "/away") return redirect(res, `${elsewhere.url}/health`);
      if (url.pathname === "/api/v1/query") return redirect(res, `${elsewhere.url}/api/v1/query${url.search}`);
      if (url.pathname === "/moved") return redirect(res, "/health");
      if (url.pathname === "/loop") return redirect(res, `/loop?hops=${hops + 1}`);
      if (url.pathname === "/health") return void res.writeHead(200).end("UP");
      if (url.pathname.startsWith("/workspaces/ws-1/api/v1/query")) return json(res, 200, SAMPLE);
      const hop = /^\/workspaces\/ws-1\/(redirect|away)\/api\/v1\/query$/.exec(url.pathname);
      if (hop)
        return redirect(res, `${hop[1] === "away" ? elsewhere.url : ""}/workspaces/ws-1/api/v1/query${url.search}`);
      res.writeHead(404).end();
    });
  });
  after(async () => {
    await home.close();
    await elsewhere.close();
  });
  beforeEach(() => {
    homeHeaders = [];
    elsewhereHeaders = [];
  });
}

const http = (url: string) => createProviders([{ provider: "http", url, body: "UP" }]);

describe("#gate redirects: the http and prometheus gates stay on their origin", () => {
  twoOrigins();

  it("follows a redirect within the endpoint's origin", async () => {
    const [v] = await runGates(http(`${home.url}/moved`), gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, true, v.detail);
    assert.equal(homeHeaders.length, 2);
  });

  it("fails an http gate redirected to another origin, naming it, and never asks that origin", async () => {
    const [v] = await runGates(http(`${home.url}/away`), gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, false);
    assert.match(v.detail, new RegExp(`redirected to another origin, ${elsewhere.url.replace(/\./g, "\\.")}`));
    assert.equal(elsewhereHeaders.length, 0);
  });

  it("fails a prometheus gate redirected to another origin, whatever that origin would answer", async () => {
    const gates = createProviders([{ provider: "prometheus", url: home.url, query: "up", max: 0.01 }]);
    const [v] = await runGates(gates, gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, false);
    assert.match(v.detail, /redirected to another origin/);
    assert.equal(elsewhereHeaders.length, 0);
  });

  it(`gives up after ${MAX_REDIRECTS} redirects within the origin`, async () => {
    const [v] = await runGates(http(`${home.url}/loop`), gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, false);
    assert.match(v.detail, /more than 5 redirects/);
    assert.equal(homeHeaders.length, MAX_REDIRECTS + 1);
  });
});

describe("#gate redirects: a SigV4 gate's credentials never leave the workspace's origin", () => {
  twoOrigins();
  const WORKSPACE = "https://aps-workspaces.eu-west-1.amazonaws.com";
  const credentials = async () => ({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "s", sessionToken: "oidc-token" });
  // The workspace's origin is served by `home`; every other URL goes where it says.
  const viaHome = (async (url: string | URL | Request, init?: RequestInit) =>
    fetch(String(url).replace(WORKSPACE, home.url), init)) as typeof fetch;
  const amp = (path: string) =>
    createProviders([{ provider: "prometheus", url: `${WORKSPACE}/workspaces/ws-1${path}`, query: "up", max: 0.01 }], {
      transport: { fetch: viaHome, awsCredentials: () => credentials },
    });

  it("refuses a redirect to another origin without sending it the session token or signature", async () => {
    const [v] = await runGates(amp("/away"), gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, false);
    assert.match(v.detail, /redirected to another origin/);
    assert.equal(elsewhereHeaders.length, 0);
    assert.equal(homeHeaders[0]["x-amz-security-token"], "oidc-token");
  });

  it("signs each same-origin hop for its own URL", async () => {
    const [v] = await runGates(amp("/redirect"), gateContext(), { timeoutMs: 2000 });
    assert.equal(v.ok, true, v.detail);
    assert.equal(homeHeaders.length, 2);
    const [first, second] = homeHeaders.map((h) => String(h.authorization));
    assert.match(second, /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/aps\/aws4_request/);
    assert.notEqual(first, second);
  });
});

describe("#gate URLs with credentials", () => {
  it("refuses a gate URL with credentials, naming the key and the fix, without sending a request", async () => {
    let asked = 0;
    const fetchFn = (async () => {
      asked += 1;
      return new Response("UP");
    }) as unknown as typeof fetch;
    const specs = [
      { provider: "kubernetes" as const },
      { provider: "http" as const, url: "https://probe:Hunter2pass@status.example.com/health" },
      { provider: "prometheus" as const, url: "https://prom.example.com/?access_token=Tok123456", query: "up", max: 1 },
    ];
    const gates = createProviders(specs, { transport: { fetch: fetchFn } }).slice(1);
    const verdicts = await runGates(gates, gateContext(), { timeoutMs: 2000 });
    assert.equal(asked, 0);
    assert.deepEqual(
      verdicts.map((v) => v.ok),
      [false, false],
    );
    assert.match(verdicts[0].detail, /^slipway:canary\.analysis\[1\]\.url: .*Kubernetes Secret \/ secret reference/);
    assert.match(verdicts[1].detail, /slipway:canary\.analysis\[2\]\.url: .*"access_token"/);
    for (const v of verdicts) assert.ok(!/Hunter2pass|Tok123456/.test(v.detail), v.detail);
  });
});
