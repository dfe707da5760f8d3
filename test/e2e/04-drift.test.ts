import { strict as assert } from "assert";
import { jsonpath, kubectl, NAMESPACE, slipway, STACK } from "./harness";

describe("slipway drift on the real cluster", () => {
  const SERVICE = "data-service";

  it("finds an out-of-band change (exit 2, resource and property named), restores it with --remediate, then finds none", async () => {
    const clean = await slipway("drift", "--stack", STACK);
    assert.equal(clean.code, 0, `drift before any change exited ${clean.code}:\n${clean.stdout}${clean.stderr}`);

    await kubectl(
      "-n",
      NAMESPACE,
      "patch",
      "service",
      SERVICE,
      "--type=merge",
      "-p",
      JSON.stringify({ metadata: { labels: { "app.kubernetes.io/part-of": "someone-else" } } }),
    );

    const found = await slipway("drift", "--stack", STACK, "--json");
    assert.equal(found.code, 2, `expected exit 2 (drift), got ${found.code}:\n${found.stderr}`);
    const report = JSON.parse(found.stdout) as {
      results: Array<{ drifted: Array<{ name: string; type: string; properties: string[] }> }>;
    };
    const drifted = report.results.flatMap((r) => r.drifted);
    // Reported by its resource name in the stack: the Service component names its Kubernetes Service `${S}-svc`.
    const svc = drifted.find((c) => c.name === `${SERVICE}-svc` && c.type === "kubernetes:core/v1:Service");
    assert.ok(svc, `the Service ${SERVICE} is not reported: ${JSON.stringify(drifted.map((c) => c.name))}`);
    assert.ok(
      svc.properties.some((p) => p.startsWith("metadata.labels")),
      `the changed label is not named: ${svc.properties.join(", ")}`,
    );
    const text = await slipway("drift", "--stack", STACK);
    assert.equal(text.code, 2);
    assert.match(text.stdout, new RegExp(`${SERVICE}-svc`));
    assert.match(text.stdout, /metadata\.labels/);

    const fixed = await slipway("drift", "--stack", STACK, "--remediate", "--yes");
    assert.equal(fixed.code, 0, `remediation exited ${fixed.code}:\n${fixed.stderr}`);
    assert.equal(await jsonpath("service", SERVICE, "{.metadata.labels.app\\.kubernetes\\.io/part-of}"), "slipway");

    const again = await slipway("drift", "--stack", STACK);
    assert.equal(again.code, 0, `drift after remediation exited ${again.code}:\n${again.stdout}${again.stderr}`);
  });
});
