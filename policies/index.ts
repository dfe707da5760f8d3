// The slipway policy pack. Levels per stack come from config/<stack>.json (`--policy-pack-config`); without one,
// every policy but the "not verifiable at preview" pair is mandatory.
import { PolicyPack } from "@pulumi/policy";
import { resourcePolicies, stackPolicies } from "./rules";

new PolicyPack("slipway", {
    description: "slipway guardrails: container resources, non-root pods, pinned and probed workloads, encryption and data protection.",
    enforcementLevel: "mandatory",
    policies: [...resourcePolicies, ...stackPolicies],
});
