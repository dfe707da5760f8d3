// Every shipped stack evaluated under mocks through every policy, at that stack's enforcement levels.
import * as assert from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { enforcementLevel, loadPackConfig, PackConfig, policySettings, STACKS } from "../../policies/lib/packConfig";
import { resourcePolicies, stackPolicies } from "../../policies/rules";
import { outputsFor, plain, promiseOf } from "../helpers/mocks";
import { fullKeys, settled, stackFileConfig } from "../helpers/stack";
import { validateResource, validateStack } from "./helpers";

const PROGRAM = path.resolve(__dirname, "../../stacks/index.ts");

// The AWS provider names these resources itself ("<name>-<suffix>") when the program gives no name, and the engine
// hands policies the named inputs; the shared mocks leave the name out, which would cut the instance -> parameter
// group link the TLS policy follows.
const AUTO_NAMED = new Set([
  "aws:rds/parameterGroup:ParameterGroup",
  "aws:rds/clusterParameterGroup:ClusterParameterGroup",
]);

interface Collected {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

/** Runs the program for `stack` under mocks and returns every resource it registered. */
async function collect(stack: string, config: Record<string, string>): Promise<Collected[]> {
  const collected: Collected[] = [];
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = plain(args.inputs);
        if (AUTO_NAMED.has(args.type) && inputs.name === undefined) {
          inputs.name = `${args.name}-7f3a9c1`;
        }
        const { id, state } = outputsFor(args.type, args.name, inputs);
        collected.push({ type: args.type, name: args.name, inputs, outputs: { ...state, id } });
        return { id, state };
      },
      call: (args) => args.inputs,
    },
    "slipway",
    stack,
    false,
  );
  pulumi.runtime.setAllConfig(fullKeys(config));
  delete require.cache[PROGRAM];
  const program = require(PROGRAM) as Record<string, pulumi.Input<unknown>>;
  for (const value of Object.values(program)) {
    await promiseOf(value);
  }
  await settled();
  return collected;
}

export interface Finding {
  policy: string;
  level: string;
  message: string;
}

/** Every violation of every policy, at the levels `config` gives them. */
function evaluate(resources: Collected[], config: PackConfig): Finding[] {
  const findings: Finding[] = [];
  for (const policy of resourcePolicies) {
    const level = enforcementLevel(policy, config);
    for (const r of resources) {
      for (const message of validateResource(
        policy,
        { type: r.type, name: r.name, props: r.inputs },
        policySettings(policy.name, config),
      )) {
        findings.push({ policy: policy.name, level, message });
      }
    }
  }
  const stack = resources.map((r) => ({ type: r.type, name: `${r.type}::${r.name}`, props: r.outputs }));
  for (const policy of stackPolicies) {
    const level = enforcementLevel(policy, config);
    for (const v of validateStack(policy, stack, policySettings(policy.name, config))) {
      findings.push({ policy: policy.name, level, message: v.message });
    }
  }
  return findings;
}

function mandatory(findings: Finding[]): string[] {
  return findings.filter((f) => f.level === "mandatory").map((f) => `${f.policy}: ${f.message}`);
}

describe("policies over the shipped stacks", () => {
  for (const stack of STACKS) {
    describe(`stack ${stack}`, () => {
      let findings: Finding[];
      let resources: Collected[];
      before(async () => {
        resources = await collect(stack, stackFileConfig(stack));
        findings = evaluate(resources, loadPackConfig(stack));
      });

      it("registers workloads for the policies to check", () => {
        assert.ok(resources.some((r) => r.type === "kubernetes:apps/v1:Deployment"));
      });

      it("has no mandatory violation", () => {
        assert.deepStrictEqual(mandatory(findings), []);
      });

      it("has nothing left unverifiable with every value known", () => {
        assert.deepStrictEqual(
          findings.filter((f) => f.message.startsWith("not verifiable at preview:")),
          [],
        );
      });
    });
  }
});

describe("policies over a deliberately broken service config", () => {
  it("reports exactly the violations the config introduces (prod)", async () => {
    const config = {
      ...stackFileConfig("prod"),
      "slipway:services": JSON.stringify({ "api-gateway": { cpuLimit: "250m", memoryLimit: "32Gi" } }),
    };
    const findings = evaluate(await collect("prod", config), loadPackConfig("prod"));
    const label = 'Deployment "api-gateway-stable" container "api-gateway"';
    assert.deepStrictEqual(mandatory(findings), [
      `container-resources-required: ${label} must set resources.limits.cpu ("250m") at or above resources.requests.cpu ("500m"); raise the limit or lower the request.`,
      `container-resource-ceilings: ${label} must keep resources.limits.memory (32Gi) at or below 16Gi; lower it or raise maxMemory in this stack's policy config.`,
      `container-resource-ceilings: ${label} must keep its memory limit/request ratio at or below 4 (limit 32Gi / request 1Gi = 32); raise the request or lower the limit.`,
    ]);
  });
});

describe("policies over an oversized dev service", () => {
  it("reports the ceiling at advisory level on dev, where sizing has room", async () => {
    const config = {
      ...stackFileConfig("dev"),
      "slipway:services": JSON.stringify({ "audit-service": { memoryLimit: "32Gi", memoryRequest: "8Gi" } }),
    };
    const findings = evaluate(await collect("dev", config), loadPackConfig("dev"));
    assert.deepStrictEqual(mandatory(findings), []);
    assert.deepStrictEqual(
      findings.filter((f) => f.policy === "container-resource-ceilings"),
      [
        {
          policy: "container-resource-ceilings",
          level: "advisory",
          message:
            'Deployment "audit-service-stable" container "audit-service" must keep resources.limits.memory (32Gi) at or below 16Gi; lower it or raise maxMemory in this stack\'s policy config.',
        },
      ],
    );
  });
});

describe("policies over prod with a release in progress", () => {
  const SNAPSHOT = "aws:rds/snapshot:Snapshot";
  const VERSION = "1.5.0-rc.1";
  let resources: Collected[];
  before(async () => {
    const file = stackFileConfig("prod");
    // Prod runs the canary by digest too: the release record carries the digest of each image it ships.
    const digests = JSON.parse(file["slipway:imageDigests"]) as Record<string, Record<string, string>>;
    for (const byVersion of Object.values(digests)) byVersion[VERSION] = `sha256:${"ab".repeat(32)}`;
    resources = await collect("prod", {
      ...file,
      "slipway:imageDigests": JSON.stringify(digests),
      "slipway:canaryVersion": VERSION,
      "slipway:canaryWeight": "10",
    });
  });

  it("passes the release's database snapshot, with no mandatory violation", () => {
    assert.strictEqual(resources.filter((r) => r.type === SNAPSHOT).length, 1);
    assert.deepStrictEqual(mandatory(evaluate(resources, loadPackConfig("prod"))), []);
  });

  it("refuses the snapshot, as mandatory, when the primary database is not under the stack's key", () => {
    const awsManaged = resources.map((r) =>
      r.type === "aws:rds/instance:Instance" && r.name === "data-db"
        ? { ...r, outputs: { ...r.outputs, kmsKeyId: undefined } }
        : r,
    );
    const findings = evaluate(awsManaged, loadPackConfig("prod")).filter((f) => f.policy === "rds-snapshot-encrypted");
    assert.deepStrictEqual(findings, [
      {
        policy: "rds-snapshot-encrypted",
        level: "mandatory",
        message: `RDS snapshot "${SNAPSHOT}::data-db-release-1-5-0-rc-1" must be encrypted with a customer KMS key of this stack; its source RDS instance "aws:rds/instance:Instance::data-db" uses no kmsKeyId, that is the AWS-managed key: give the instance the data tier's key in kmsKeyId.`,
      },
    ]);
  });
});
