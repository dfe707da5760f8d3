// SARIF 2.1.0 for code scanning: each policy violation of a preview becomes a result on the stack's config file, with
// the resource's URN as its logical location. Pure: data in, log out.
import { createHash } from "node:crypto";
import type * as sarif from "sarif";
import { redactAll } from "../secrets";
import type { PolicyViolation, PreviewResult } from "../types";

export const SARIF_SCHEMA =
  "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/** Code-scanning level of a violation: mandatory → error, advisory → warning, not verifiable at preview → note. */
export function sarifLevel(v: PolicyViolation): sarif.Result.level {
  if (v.unverifiable) return "note";
  switch (v.level) {
    case "mandatory":
      return "error";
    case "advisory":
    case "remediate":
      return "warning";
    default:
      return "none";
  }
}

/** The file a stack's violations point at. */
export function stackFile(stack: string): string {
  return `stacks/Pulumi.${stack}.yaml`;
}

function ruleId(v: PolicyViolation): string {
  return v.policyName;
}

function result(stack: string, v: PolicyViolation, ruleIndex: number): sarif.Result {
  const r: sarif.Result = {
    ruleId: ruleId(v),
    ruleIndex,
    level: sarifLevel(v),
    message: { text: v.resourceName ? `${v.resourceName}: ${v.message}` : v.message },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: stackFile(stack) }, region: { startLine: 1 } },
        ...(v.urn ? { logicalLocations: [{ fullyQualifiedName: v.urn, name: v.resourceName, kind: "resource" }] } : {}),
      },
    ],
    // Stable across runs even when the message carries changing values, so code scanning tracks one alert.
    partialFingerprints: {
      "slipwayViolation/v1": createHash("sha256")
        .update([stack, v.policyPack, v.policyName, v.urn ?? ""].join("\0"))
        .digest("hex"),
    },
    properties: { stack, policyPack: v.policyPack, enforcementLevel: v.level, unverifiable: v.unverifiable },
  };
  if (v.resourceType) r.properties = { ...r.properties, resourceType: v.resourceType };
  return r;
}

export interface SarifOptions {
  /** slipway's version for tool.driver.version; omitted when undefined. */
  toolVersion?: string;
}

/**
 * One run, tool `slipway`, one rule per policy seen (in order of first appearance), one result per violation. Secrets
 * in the results (by key, shape or value, wherever they repeat) are masked before anything is read.
 */
export function buildSarif(input: PreviewResult[], options: SarifOptions = {}): sarif.Log {
  const { value: results, secrets } = redactAll(input);
  const rules: sarif.ReportingDescriptor[] = [];
  const index = new Map<string, number>();
  const out: sarif.Result[] = [];
  for (const r of results) {
    for (const v of r.violations) {
      const id = ruleId(v);
      if (!index.has(id)) {
        index.set(id, rules.length);
        rules.push({
          id,
          name: id,
          shortDescription: { text: `${v.policyPack}: ${id}` },
          defaultConfiguration: { level: v.level === "mandatory" ? "error" : "warning" },
          properties: { policyPack: v.policyPack },
        });
      }
      out.push(result(r.stack, v, index.get(id) as number));
    }
  }
  const driver: sarif.ToolComponent = {
    name: "slipway",
    informationUri: "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/",
    rules,
  };
  if (options.toolVersion) driver.version = options.toolVersion;
  const log: sarif.Log = { $schema: SARIF_SCHEMA, version: "2.1.0", runs: [{ tool: { driver }, results: out }] };
  return JSON.parse(secrets.scrub(JSON.stringify(log))) as sarif.Log;
}

/** The SARIF log as the JSON text code scanning uploads. */
export function renderSarif(results: PreviewResult[], options: SarifOptions = {}): string {
  return `${JSON.stringify(buildSarif(results, options), null, 2)}\n`;
}
