import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { createProviders, runGates } from "../../../automation/analysis";
import { gateContext, serve, TestServer } from "./server";

describe("#gate redirects: through the API server's service proxy", () => {
  let api: TestServer;
  let elsewhere: TestServer;
  let seenElsewhere: IncomingHttpHeaders[];
  let dir: string;
  let kubeconfig: string;

  before(async () => {
    elsewhere = await serve((req, res) => {
      seenElsewhere.push(req.headers);
      res.writeHead(200).end("UP");
    });
    api = await serve((req, res) => {
      if (req.url?.endsWith("/proxy/away"))
        return void res.writeHead(302, { location: `${elsewhere.url}/health` }).end();
      if (req.url?.endsWith("/proxy/moved"))
        return void res.writeHead(302, { location: req.url.replace("moved", "health") }).end();
      res.writeHead(200).end("UP");
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-proxy-redirect-"));
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
    await elsewhere.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    seenElsewhere = [];
  });

  const check = (pathname: string) =>
    runGates(
      createProviders([{ provider: "http", url: `http://web.slipway.svc${pathname}`, body: "UP" }]),
      gateContext({ kubeconfigPath: kubeconfig }),
      { timeoutMs: 3000 },
    );

  it("fails when the proxied Service redirects to another origin, and never asks it with the kubeconfig's token", async () => {
    const [v] = await check("/away");
    assert.equal(v.ok, false);
    assert.match(v.detail, /redirected to another origin/);
    assert.equal(seenElsewhere.length, 0);
  });

  it("follows a redirect that stays on the API server", async () => {
    const [v] = await check("/moved");
    assert.equal(v.ok, true, v.detail);
  });
});
