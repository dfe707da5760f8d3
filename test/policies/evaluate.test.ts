import * as assert from "assert";
import { evaluateManifest, evaluateManifestForStack, manifestType } from "../../policies/evaluate";
import { checkedResourcePolicies } from "../../policies/rules";
import { deployment, T } from "./fixtures";
import { validateResource, withProp } from "./helpers";

const ROOT = withProp(deployment(), "spec.template.spec.securityContext.runAsUser", 0);
const RUN_AS_ROOT =
  'Deployment "api-gateway-stable" must not set spec.template.spec.securityContext.runAsUser: 0 (root)';

describe("evaluateManifest: the pack's resource policies over one manifest, without an engine", () => {
  const types: Array<[string, string, string]> = [
    ["batch/v1", "Job", "kubernetes:batch/v1:Job"],
    ["apps/v1", "Deployment", "kubernetes:apps/v1:Deployment"],
    ["v1", "Pod", "kubernetes:core/v1:Pod"],
  ];
  for (const [apiVersion, kind, type] of types) {
    it(`reads ${apiVersion} ${kind} as ${type}`, () => assert.strictEqual(manifestType({ apiVersion, kind }), type));
  }

  it("refuses a manifest without apiVersion or kind, naming both", () => {
    assert.throws(() => evaluateManifest({ kind: "Job" }), /no apiVersion and kind; set both/);
  });

  it("finds what the engine-style run of every policy finds (fixture and a root Deployment)", () => {
    for (const props of [deployment(), ROOT]) {
      const expected = checkedResourcePolicies.flatMap((p) =>
        validateResource(p, { type: T.deployment, name: "api-gateway-stable", props }).map((m) => `${p.name}: ${m}`),
      );
      const found = evaluateManifest(props).map((v) => `${v.policy}: ${v.message}`);
      assert.deepStrictEqual(found, expected);
    }
  });

  it("reports each violation with its policy and the stack's level", () => {
    const found = evaluateManifestForStack(ROOT, "prod").filter((v) => v.policy === "containers-run-as-non-root");
    assert.strictEqual(found.length, 1);
    assert.strictEqual(found[0].level, "mandatory");
    assert.ok(found[0].message.startsWith(RUN_AS_ROOT), found[0].message);
  });

  it("skips disabled policies and applies a policy's settings from the config", () => {
    assert.deepStrictEqual(
      evaluateManifest(ROOT, { "containers-run-as-non-root": "disabled" }).filter(
        (v) => v.policy === "containers-run-as-non-root",
      ),
      [],
    );
    const ported = withProp(deployment(), "spec.template.spec.containers.0.ports", [
      { containerPort: 80, hostPort: 80 },
    ]);
    const hostPorts = (config: object) =>
      evaluateManifest(ported, config as never).filter((v) => v.policy === "containers-no-host-ports");
    assert.strictEqual(hostPorts({}).length, 1);
    assert.deepStrictEqual(hostPorts({ "containers-no-host-ports": { allowedHostPorts: [80] } }), []);
  });

  it("makes every policy mandatory for a stack without a config file, as the engine does", () => {
    const found = evaluateManifestForStack(ROOT, "no-such-stack");
    assert.ok(found.length > 0);
    assert.ok(found.every((v) => v.level === "mandatory"));
  });
});
