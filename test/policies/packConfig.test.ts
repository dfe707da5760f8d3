import * as assert from "assert";
import { Policy } from "@pulumi/policy";
import { enforcementLevel, loadPackConfig, policySettings, STACKS } from "../../policies/lib/packConfig";
import { resourcePolicies, stackPolicies } from "../../policies/rules";

const ALL: Policy[] = [...resourcePolicies, ...stackPolicies];
const LEVELS = ["advisory", "mandatory", "disabled"];
const RANK: Record<string, number> = { disabled: 0, advisory: 1, mandatory: 2 };
const SIZING = ["container-resource-ceilings", "hpa-replica-range"];
const WORKLOAD_RULES = [
  "container-resources-required",
  "container-resource-ceilings",
  "containers-run-as-non-root",
  "containers-not-privileged",
  "containers-no-privilege-escalation",
  "containers-drop-all-capabilities",
  "containers-read-only-root-filesystem",
  "pods-no-host-path",
  "pods-no-host-namespaces",
  "container-images-pinned",
  "container-probes-required",
  "pods-no-root-groups",
  "pods-seccomp-confined",
  "pods-apparmor-profile",
  "pods-selinux-options",
  "containers-default-proc-mount",
  "pods-safe-sysctls",
  "containers-no-host-ports",
  "containers-no-host-probes",
  "pods-no-windows-host-process",
  "pods-restricted-volume-types",
  "workloads-current-api-version",
];

describe("the pack's policies", () => {
  it("have unique kebab-case names", () => {
    const names = ALL.map((p) => p.name);
    assert.deepStrictEqual(
      names.filter((n, i) => names.indexOf(n) !== i),
      [],
    );
    for (const name of names) assert.match(name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('have descriptions that start "Checks whether"', () => {
    for (const p of ALL) assert.match(p.description, /^Checks whether /, p.name);
  });

  it("declare a schema default for every setting", () => {
    for (const p of ALL) {
      for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
        assert.notStrictEqual((schema as { default?: unknown }).default, undefined, `${p.name}.${key}`);
      }
    }
  });
});

describe("policy config per stack", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      const config = loadPackConfig(stack);

      it("names every policy of the pack and no other", () => {
        assert.deepStrictEqual(Object.keys(config).sort(), ALL.map((p) => p.name).sort());
      });

      it("gives each a valid level and only settings its schema declares, of the declared type", () => {
        for (const p of ALL) {
          assert.ok(LEVELS.includes(enforcementLevel(p, config)), p.name);
          for (const [key, value] of Object.entries(policySettings(p.name, config))) {
            const schema = p.configSchema?.properties[key] as { type?: string } | undefined;
            assert.ok(schema, `${stack}: ${p.name}.${key} is not in the policy's configSchema`);
            const type = schema.type === "integer" ? "number" : schema.type === "array" ? "object" : schema.type;
            assert.strictEqual(typeof value, type, `${stack}: ${p.name}.${key}`);
          }
        }
      });

      it("keeps the not-verifiable-at-preview policies advisory", () => {
        for (const name of ["not-verifiable-at-preview", "stack-not-verifiable-at-preview"]) {
          assert.strictEqual(enforcementLevel({ name }, config), "advisory");
        }
      });
    });
  }

  it("makes every checking policy mandatory in prod", () => {
    const prod = loadPackConfig("prod");
    const lax = ALL.filter((p) => !p.name.includes("not-verifiable")).filter(
      (p) => enforcementLevel(p, prod) !== "mandatory",
    );
    assert.deepStrictEqual(
      lax.map((p) => p.name),
      [],
    );
  });

  it("never enforces a policy less in staging or prod than in dev", () => {
    const [dev, staging, prod] = ["dev", "staging", "prod"].map(loadPackConfig);
    for (const p of ALL) {
      assert.ok(RANK[enforcementLevel(p, staging)] >= RANK[enforcementLevel(p, dev)], p.name);
      assert.ok(RANK[enforcementLevel(p, prod)] >= RANK[enforcementLevel(p, staging)], p.name);
    }
  });

  it("gives dev room on sizing only: security and encryption stay mandatory", () => {
    const dev = loadPackConfig("dev");
    for (const name of SIZING) assert.strictEqual(enforcementLevel({ name }, dev), "advisory", name);
    for (const name of WORKLOAD_RULES.filter((n) => !SIZING.includes(n)))
      assert.strictEqual(enforcementLevel({ name }, dev), "mandatory", name);
    for (const name of ["rds-storage-encrypted", "elasticache-encrypted", "rds-tls-enforced", "s3-bucket-encrypted"]) {
      assert.strictEqual(enforcementLevel({ name }, dev), "mandatory", name);
    }
  });

  it("enforces every Kubernetes workload rule on the local stack", () => {
    const local = loadPackConfig("local");
    for (const name of WORKLOAD_RULES) assert.strictEqual(enforcementLevel({ name }, local), "mandatory", name);
  });
});
