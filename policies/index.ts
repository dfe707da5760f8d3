// The slipway policy pack. Levels per stack come from config/<stack>.json (`--policy-pack-config`); without one,
// every policy but the "not verifiable at preview" pair is mandatory.
import { PolicyPack } from "@pulumi/policy";
import { resourcePolicies, stackPolicies } from "./rules";

// PolicyPack reads its version from ./package.json of the working directory, and the engine may start the pack from
// the project's directory; the pack's own package.json carries the pack's version.
process.chdir(__dirname);

new PolicyPack("slipway", {
  description:
    "slipway guardrails: container resources, the Pod Security Standards, pinned and probed workloads, network isolation and least-privilege identities, encryption and data protection.",
  enforcementLevel: "mandatory",
  policies: [...resourcePolicies, ...stackPolicies],
});
