// Raw stack config -> StackConfig: decode (./decode.ts), the schema (./schema.ts), the checks (./checks.ts) and the
// defaults (./defaults.ts, ./policy.ts). Also the release record's side: the release merged over the stack file, and
// a resolved release as the record keeps it.
import { Environment, RELEASE_KEYS } from "../../contract/release";
import type { Release } from "../../contract/store";
import { resolveAws, resolveEnvironment, resolveRelease } from "./checks";
import { decode, formatIssue, keysOnly } from "./decode";
import { resolveCatalogue } from "./catalogue";
import { checkJobImages } from "./images";
import { LOCAL_DATA_ENDPOINTS, parseSeccomp } from "./defaults";
import { resolveNotifications } from "./notifications";
import { ConfigError, NAMESPACE, refuse } from "./errors";
import { resolveApproval, resolveCanary, resolveFreeze, resolveHooks } from "./policy";
import { Parsed, schema } from "./schema";
import type { ReleaseConfig, StackConfig } from "./types";

/** Keys the stack's kind never reads, the router the local stack cannot run, and the repository AWS stacks need. */
function checkScope(env: Environment, p: Parsed, input: Record<string, unknown>): void {
  const local = env === "local";
  for (const key of keysOnly(local ? "aws" : "local")) {
    if (p[key] !== undefined) {
      const fix = local
        ? "the local stack creates no AWS resource: remove the key"
        : `only the local stack reads it: remove the key from the ${env} stack`;
      throw refuse(key, input[key], fix);
    }
  }
  if (local && p.router === "alb") {
    throw refuse(
      "router",
      p.router,
      "alb needs the AWS Load Balancer Controller: use smi or gateway on the local stack",
    );
  }
  if (p.imageRepository === undefined && !local) {
    throw new ConfigError(
      `${NAMESPACE}:imageRepository is missing; set the repository the images are pushed to, e.g. 111111111111.dkr.ecr.us-east-1.amazonaws.com/slipway`,
    );
  }
}

/**
 * Validates raw stack config (full keys, string values as `pulumi.runtime.allConfig()` gives them) and applies the
 * per-environment defaults. Pure: no Pulumi runtime, no environment variables. Throws ConfigError.
 */
export function parseStackConfig(stack: string, raw: Record<string, string>): StackConfig {
  const input = decode(raw);
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => formatIssue(input, i)).join("\n"));
  }
  const p = result.data;
  const env = resolveEnvironment(stack, p);
  const local = env === "local";
  checkScope(env, p, input);
  const router = p.router ?? "smi";
  const catalogue = resolveCatalogue(env, p.services);
  checkJobImages(env, p, Object.keys(catalogue.definitions));
  return {
    stack,
    environment: env,
    namespace: p.namespace ?? `slipway-${env}`,
    router,
    gatewayName: p.gatewayName ?? "slipway",
    installRouterCrds: p.installRouterCrds ?? local,
    imageRepository: p.imageRepository ?? "registry.local/slipway",
    deploymentTimeoutSeconds: p.deploymentTimeoutSeconds ?? (local ? 120 : 600),
    services: catalogue.sizing,
    catalogue: catalogue.definitions,
    defaultCatalogue: catalogue.isDefault,
    release: resolveRelease(p, catalogue),
    imageDigests: p.imageDigests ?? {},
    zoneSpread: p.zoneSpread ?? (env === "prod" ? "required" : "preferred"),
    seccompProfile: parseSeccomp(p.seccompProfile ?? "RuntimeDefault"),
    canary: resolveCanary(p),
    hooks: resolveHooks(p),
    backup: p.release?.backup ?? env === "prod",
    approval: resolveApproval(stack, env, p),
    freeze: resolveFreeze(p),
    notifications: resolveNotifications(p.notifications),
    aws: local ? undefined : resolveAws(env, p),
    local: local
      ? { kubeconfig: p.kubeconfig, kubeContext: p.kubeContext, dataEndpoints: p.dataEndpoints ?? LOCAL_DATA_ENDPOINTS }
      : undefined,
  };
}

/** The stack file's config with the release over it: a release record (or the release an update applies) wins. */
export function withRelease(raw: Record<string, string>, release: Release | undefined): Record<string, string> {
  if (release === undefined) return raw;
  // A record written before rolledBackVersion existed has no such field: no rolled-back canary.
  // No database restore: JSON null.
  const text = (k: keyof typeof RELEASE_KEYS) =>
    typeof release[k] === "string"
      ? (release[k] as string)
      : k === "restoreFrom" && release[k] === undefined
        ? "null"
        : (JSON.stringify(release[k]) ?? "");
  return {
    ...raw,
    ...Object.fromEntries(
      Object.entries(RELEASE_KEYS).map(([k, full]) => [full, text(k as keyof typeof RELEASE_KEYS)]),
    ),
    ...digestsOver(raw[DIGESTS_KEY], release.imageDigests),
  };
}

const DIGESTS_KEY = `${NAMESPACE}:imageDigests`;

/** The record's image digests over the stack file's, per service and version; a file value that is not JSON stays for the schema to refuse. */
function digestsOver(file: string | undefined, recorded: Release["imageDigests"]): Record<string, string> {
  if (recorded === undefined || Object.keys(recorded).length === 0) return {};
  let base: Record<string, Record<string, string>> = {};
  try {
    base = file === undefined || file === "" ? {} : JSON.parse(file);
  } catch {
    return {};
  }
  if (base === null || typeof base !== "object" || Array.isArray(base)) return {};
  const merged: Record<string, unknown> = { ...base };
  for (const [service, versions] of Object.entries(recorded))
    merged[service] = { ...(base[service] ?? {}), ...versions };
  return { [DIGESTS_KEY]: JSON.stringify(merged) };
}

/** A resolved release as the record keeps it: every field present, service versions only where they differ. */
export function releaseOf(r: ReleaseConfig): Release {
  return {
    stableVersion: r.stableVersion,
    serviceVersions: Object.fromEntries(Object.entries(r.serviceVersions).filter(([, v]) => v !== r.stableVersion)),
    canaryVersion: r.canaryVersion ?? "",
    canaryWeight: r.canaryWeight,
    canaryServices: [...r.canaryServices],
    ...(r.rolledBackVersion === undefined ? {} : { rolledBackVersion: r.rolledBackVersion }),
    ...(r.restoreFrom === undefined ? {} : { restoreFrom: { ...r.restoreFrom } }),
  };
}
