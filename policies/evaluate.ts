// The pack's resource policies over one Kubernetes manifest, without an engine: what the driver asks before it
// creates an object the Pulumi program does not declare (the Jobs of `job` gates and release hooks), so that object
// meets the same policies, at the same per-stack levels, as the stack's own workloads. Pure apart from reading the
// stack's config file in `evaluateManifestForStack`.
import { EnforcementLevel } from "@pulumi/policy";
import * as fs from "fs";
import { enforcementLevel, loadPackConfig, PackConfig, packConfigPath, policySettings } from "./lib/packConfig";
import { get } from "./lib/values";
import { checkedResourcePolicies } from "./rules";

export interface ManifestViolation {
  policy: string;
  level: Exclude<EnforcementLevel, "disabled">;
  message: string;
}

/** A Kubernetes object as the API takes it: at least apiVersion and kind. */
export interface Manifest {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; generateName?: string };
  [field: string]: unknown;
}

/** The Pulumi type token of a manifest: `batch/v1` `Job` -> `kubernetes:batch/v1:Job`, `v1` `Pod` -> `kubernetes:core/v1:Pod`. */
export function manifestType(manifest: Manifest): string {
  const { apiVersion, kind } = manifest;
  if (typeof apiVersion !== "string" || apiVersion === "" || typeof kind !== "string" || kind === "") {
    throw new Error("the manifest has no apiVersion and kind; set both (e.g. apiVersion: batch/v1, kind: Job)");
  }
  return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

/** The object's name for messages: metadata.name, else its generateName prefix. */
function manifestName(manifest: Manifest): string {
  const name = get(manifest, "metadata", "name");
  if (typeof name === "string" && name !== "") return name;
  const prefix = get(manifest, "metadata", "generateName");
  return typeof prefix === "string" && prefix !== "" ? prefix.replace(/-$/, "") : "manifest";
}

/**
 * Every violation the pack's resource policies find in `manifest`, each at the level `config` (a stack's
 * policies/config/<stack>.json) gives its policy; disabled policies are skipped. Without a config every policy is
 * mandatory, as the engine runs the pack without `--policy-pack-config`.
 */
export function evaluateManifest(manifest: Manifest, config: PackConfig = {}): ManifestViolation[] {
  const subject = { type: manifestType(manifest), name: manifestName(manifest), props: manifest };
  const found: ManifestViolation[] = [];
  for (const policy of checkedResourcePolicies) {
    if (!policy.types.has(subject.type)) continue;
    const level = enforcementLevel(policy, config);
    if (level === "disabled") continue;
    const report = policy.inspect(subject, policySettings(policy.name, config));
    for (const v of report.violations) found.push({ policy: policy.name, level, message: v.message });
  }
  return found;
}

/**
 * `evaluateManifest` at the levels of `stack`'s policies/config/<stack>.json; a stack without one gets every policy
 * mandatory, as the driver then runs the pack without `--policy-pack-config`.
 */
export function evaluateManifestForStack(manifest: Manifest, stack: string): ManifestViolation[] {
  return evaluateManifest(manifest, fs.existsSync(packConfigPath(stack)) ? loadPackConfig(stack) : {});
}
