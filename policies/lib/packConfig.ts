// Per-stack policy configuration (config/<stack>.json, passed to the engine with `--policy-pack-config`) and the
// enforcement level it gives each policy, resolved the way the engine does: the stack's file, then the policy's own
// level, then the pack's default.
import { EnforcementLevel, Policy } from "@pulumi/policy";
import * as fs from "fs";
import * as path from "path";

export type PolicySettings = EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>);
export type PackConfig = Record<string, PolicySettings>;

export const PACK_DEFAULT_LEVEL: EnforcementLevel = "mandatory";
export const STACKS = ["dev", "staging", "prod", "local"] as const;

/** The config file the engine is given for `stack`. */
export function packConfigPath(stack: string): string {
  return path.join(__dirname, "..", "config", `${stack}.json`);
}

export function loadPackConfig(stack: string): PackConfig {
  return JSON.parse(fs.readFileSync(packConfigPath(stack), "utf8")) as PackConfig;
}

export function enforcementLevel(
  policy: Pick<Policy, "name" | "enforcementLevel">,
  config: PackConfig,
): EnforcementLevel {
  const settings = config[policy.name];
  const configured = typeof settings === "string" ? settings : settings?.enforcementLevel;
  return configured ?? policy.enforcementLevel ?? PACK_DEFAULT_LEVEL;
}

/** The policy's settings without its enforcement level, as `getConfig()` returns them. */
export function policySettings(policyName: string, config: PackConfig): Record<string, unknown> {
  const settings = config[policyName];
  if (settings === undefined || typeof settings === "string") {
    return {};
  }
  const { enforcementLevel: _level, ...rest } = settings;
  return rest;
}
