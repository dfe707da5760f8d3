// The program under mocks for a stack file anywhere (an example's), and every policy of the pack over what it
// registered, at the levels the stack's pack config gives them.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { enforcementLevel, loadPackConfig, policySettings } from "../../policies/lib/packConfig";
import { resourcePolicies, stackPolicies } from "../../policies/rules";
import { outputsFor, plain, promiseOf } from "../helpers/mocks";
import { settled } from "../helpers/stack";
import { validateResource, validateStack } from "../policies/helpers";

const PROGRAM = path.resolve(__dirname, "../../stacks/index.ts");
// Named by the AWS provider when the program gives no name; the TLS policy follows the instance -> group link.
const AUTO_NAMED = new Set([
  "aws:rds/parameterGroup:ParameterGroup",
  "aws:rds/clusterParameterGroup:ClusterParameterGroup",
]);

export interface Collected {
  type: string;
  name: string;
  inputs: Record<string, any>;
  outputs: Record<string, unknown>;
}

/** A stack file's config as the engine hands it over: full keys, string values. */
export function stackFile(file: string): Record<string, string> {
  const doc = parseYaml(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
  return Object.fromEntries(
    Object.entries(doc.config ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

/** Runs the program for `stack` with `config` under mocks; every resource it registered and its outputs. */
export async function collect(
  stack: string,
  config: Record<string, string>,
): Promise<{ resources: Collected[]; outputs: Record<string, any> }> {
  const resources: Collected[] = [];
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = plain(args.inputs);
        if (AUTO_NAMED.has(args.type) && inputs.name === undefined) inputs.name = `${args.name}-7f3a9c1`;
        const { id, state } = outputsFor(args.type, args.name, inputs);
        resources.push({ type: args.type, name: args.name, inputs, outputs: { ...state, id } });
        return { id, state };
      },
      call: (args) => args.inputs,
    },
    "slipway",
    stack,
    false,
  );
  pulumi.runtime.setAllConfig(config);
  delete require.cache[PROGRAM];
  const program = require(PROGRAM) as Record<string, pulumi.Input<unknown>>;
  const outputs: Record<string, any> = {};
  for (const [k, v] of Object.entries(program)) outputs[k] = await promiseOf(v);
  await settled();
  return { resources, outputs };
}

/** Every mandatory violation of the pack over `resources`, at the levels of `stack`'s pack config. */
export function mandatoryViolations(stack: string, resources: Collected[]): string[] {
  const config = loadPackConfig(stack);
  const found: string[] = [];
  for (const policy of resourcePolicies) {
    if (enforcementLevel(policy, config) !== "mandatory") continue;
    for (const r of resources) {
      const props = { type: r.type, name: r.name, props: r.inputs };
      for (const m of validateResource(policy, props, policySettings(policy.name, config)))
        found.push(`${policy.name}: ${m}`);
    }
  }
  const all = resources.map((r) => ({ type: r.type, name: `${r.type}::${r.name}`, props: r.outputs }));
  for (const policy of stackPolicies) {
    if (enforcementLevel(policy, config) !== "mandatory") continue;
    for (const v of validateStack(policy, all, policySettings(policy.name, config)))
      found.push(`${policy.name}: ${v.message}`);
  }
  return found;
}
