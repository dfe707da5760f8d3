import { strict as assert } from "node:assert";
import { displayUrl, gateUrlProblem, URL_MASK } from "../../contract/urls";

describe("gate URLs carry no credentials", () => {
  const REFUSED: Array<[string, string, RegExp]> = [
    ["user:password@", "https://grafana:hunter22@prom.example.com/", /user:password@ credentials/],
    ["a user name alone", "https://ghp_abcdefghijklmnopqrstuvwxyz@prom.example.com/", /user:password@/],
    ["an access_token parameter", "https://prom.example.com/?access_token=abc123", /"access_token"/],
    ["a token parameter", "https://status.example.com/health?token=abc123", /"token"/],
    ["a key parameter", "https://status.example.com/health?key=abc123", /"key"/],
    ["an api_key parameter", "https://status.example.com/health?api_key=abc123", /"api_key"/],
    ["a signature parameter", "https://status.example.com/health?signature=abc123", /"signature"/],
    ["a presigned S3 URL", "https://b.s3.amazonaws.com/o?X-Amz-Credential=AKIA&X-Amz-Signature=f00", /X-Amz-Signature/],
  ];
  for (const [what, url, names] of REFUSED) {
    it(`refuses a gate URL with ${what}, naming the key and the fix`, () => {
      const problem = gateUrlProblem(url, "slipway:canary.analysis[2].url");
      assert.ok(problem, url);
      assert.match(problem, /^slipway:canary\.analysis\[2\]\.url: /);
      assert.match(problem, names);
      assert.match(problem, /Kubernetes Secret \/ secret reference/);
      assert.ok(!problem.includes("hunter22") && !problem.includes("abc123"), problem);
    });
  }

  it("accepts URLs without credentials, placeholders included", () => {
    for (const url of [
      "http://prometheus-server.monitoring.svc.cluster.local",
      "http://$service-canary.$namespace.svc.cluster.local/health?version=$version",
      "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1",
      "https://status.example.com/health?verbose=1&monkey=2",
    ])
      assert.equal(gateUrlProblem(url), undefined, url);
  });
});

describe("URLs for display", () => {
  const CASES: Array<[string, string]> = [
    ["postgres://app:pw@db.internal:5432/app", `postgres://${URL_MASK}@db.internal:5432/app`],
    ["https://h/p?access_token=abc&x=1", `https://h/p?access_token=${URL_MASK}&x=1`],
    ["https://h/p?X-Amz-Signature=abc&X-Amz-Date=1", `https://h/p?X-Amz-Signature=${URL_MASK}&X-Amz-Date=1`],
    ["https://u:p@h/p?token=t#frag", `https://${URL_MASK}@h/p?token=${URL_MASK}#frag`],
    ["http://$service.$namespace.svc/health", "http://$service.$namespace.svc/health"],
  ];
  for (const [url, shown] of CASES)
    it(`shows ${shown}`, () => {
      assert.equal(displayUrl(url), shown);
    });
});
