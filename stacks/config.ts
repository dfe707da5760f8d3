// The only reader of Pulumi config. `parseStackConfig` is pure so the release driver validates the keys it writes
// with the same schema the program uses; `loadConfig` is the program-side entry. The release (the five release keys)
// is stack state, not source: the release record in the backend is merged over the stack file (`withRelease`).
import { z } from "zod";
import {
  checkSteps,
  CONFIG_NAMESPACE,
  DURATION,
  DURATION_FIX,
  ENVIRONMENTS,
  Environment,
  environmentOfStack,
  parseDuration,
  RELEASE_KEYS,
  SEMVER,
  SERVICE_NAMES,
  ServiceName,
  STEPS_FIX,
  VERSION_FIX,
  WEIGHT_FIX,
} from "../contract/release";
import { programRelease } from "../automation/state/program";
import type { Release } from "../automation/state/store";
import type { SeccompProfile } from "../contract/podSecurity";
import { refineFreeze } from "../contract/freeze";
import type { DatabaseArgs } from "../components/dataTier";

export type { SeccompProfile };
import { SERVICE_SEEDS, LOCAL_SIZING } from "./sizing";

export { ENVIRONMENTS, environmentOfStack };
export type { Environment };
export const NAMESPACE = CONFIG_NAMESPACE;
export const ROUTERS = ["smi", "gateway", "alb"] as const;
export type Router = (typeof ROUTERS)[number];

/** A config value that cannot be used; the message names the key, the bad value and the fix. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** How a gate reaches its URL; undefined = from the host (cluster Service names go through the API server). */
export const GATE_VIAS = ["direct", "kubernetes-proxy"] as const;

/** A Job the driver runs in the stack's namespace: a `job` gate's (all optional there) and a release hook's. */
export interface JobSpec {
  /** Prefix of the Job's name. */
  name: string;
  /** Image with a pinned tag or digest; `$version` may be the tag. */
  image: string;
  command?: string[];
  args?: string[];
  env?: Record<string, string>;
  resources?: { cpuRequest: string; memoryRequest: string; cpuLimit: string; memoryLimit: string };
  backoffLimit?: number;
  serviceAccountName?: string;
  /** The services' connection settings as environment variables (a migration's database address). */
  connectionEnv?: boolean;
  /** Milliseconds the Job gets to finish. */
  timeout: number;
}

/** One entry of `slipway:canary.analysis`; which fields apply depends on `provider` (see automation/analysis/README.md). */
export interface AnalysisProvider extends Partial<JobSpec> {
  provider: "kubernetes" | "prometheus" | "http" | "job";
  url?: string;
  via?: (typeof GATE_VIAS)[number];
  query?: string;
  max?: number;
  status?: number;
  body?: string;
}

export interface ReleaseConfig {
  /** Image tag every service runs on the stable track unless serviceVersions overrides it. */
  stableVersion: string;
  /** Resolved stable version per service. */
  serviceVersions: Record<ServiceName, string>;
  /** Version on the canary track; undefined when no canary runs. */
  canaryVersion?: string;
  /** Percent of traffic sent to the canary, 0..100. */
  canaryWeight: number;
  /** Services released together; the canary exists only for these. */
  canaryServices: ServiceName[];
  /** A canary version rolled back (never served): its Deployments of canaryServices stay at zero replicas. */
  rolledBackVersion?: string;
}

/** canary: weight steps on a canary track sized by the weight; blueGreen: the new version at full size, then one switch. */
export const STRATEGIES = ["canary", "blueGreen"] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface CanaryPolicy {
  strategy: Strategy;
  steps: number[];
  /** Milliseconds between a weight step and its analysis. */
  interval: number;
  failureLimit: number;
  /** Milliseconds a stage must have run a version healthily before the next stage may take it. */
  soak: number;
  /** Milliseconds allowed per step. */
  timeout: number;
  analysis: AnalysisProvider[];
  /** blueGreen: gates against the new version at weight 0, through its own Service; default: analysis. */
  prePromotionAnalysis: AnalysisProvider[];
  /** Milliseconds the previous version stays scaled after the last step (or the switch); 0 = finalize at once. */
  bake: number;
  /** Gates asked during the bake window; default: analysis. */
  postPromotionAnalysis: AnalysisProvider[];
}

/** A Job run at a point of the release (`slipway:release.hooks`), through the driver's Job runner. */
export interface HookJob extends JobSpec {
  /** After it ran the old version cannot serve (e.g. a schema migration): a failure holds instead of rolling back. */
  irreversible: boolean;
}

export interface ReleaseHooks {
  /** Before any traffic moves to the new version. */
  preTraffic: HookJob[];
  /** After the new version became stable. */
  postPromotion: HookJob[];
}

export interface ServiceSizing {
  minReplicas: number;
  maxReplicas: number;
  cpuRequest: string;
  memoryRequest: string;
  cpuLimit: string;
  memoryLimit: string;
  /** Resource the HPA scales on, plus an optional per-pod request-rate target. */
  scaleOn: "cpu" | "memory";
  requestsPerSecond?: number;
}

export interface AwsConfig {
  kubernetesVersion: string;
  nodeGroup: { instanceType: string; minSize: number; maxSize: number; desiredSize: number };
  /** CIDRs allowed to reach the public API endpoint; empty = private endpoint only. */
  apiAllowedCidrs: string[];
  natGateways: "single" | "perAz";
  database: DatabaseArgs;
  cache: { nodeType: string; clusterMode: boolean; shards: number; replicasPerShard: number };
}

export interface LocalConfig {
  /** Kubeconfig contents or path; undefined = the ambient KUBECONFIG. */
  kubeconfig?: string;
  kubeContext?: string;
  /** Connection settings put into the connection Secret. */
  dataEndpoints: Record<string, string>;
}

/** Who must approve a promotion of the stack (`slipway:approval`). */
export interface ApprovalRule {
  /** Distinct approvers the run's environment review must have; 0 = no approval asked. prod: 1, others: 0. */
  requiredReviewers: number;
  /** Approvers may be neither the run's actor, its triggering actor, nor the author of the commit shipped. prod: on. */
  fourEyes: boolean;
  /** GitHub environment whose reviews count; default: the stack's name (promote.yml runs `environment: <stack>`). */
  environment: string;
}

/** A change freeze: recurring (an RFC 5545 RRULE and a duration) or one-off (from/until), in a time zone. */
export interface FreezeWindow {
  name: string;
  /** IANA zone the rule or dates are read in, e.g. America/New_York. */
  timeZone: string;
  /** RRULE text without DTSTART, e.g. FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=18; each occurrence starts a window. */
  rrule?: string;
  /** ISO 8601 duration of each occurrence, e.g. PT6H30M or P3D (calendar days in the zone). */
  duration?: string;
  /** One-off window: local date-times in the zone, e.g. 2026-12-24T00:00 and 2027-01-04T00:00. */
  from?: string;
  until?: string;
}

export interface StackConfig {
  stack: string;
  environment: Environment;
  namespace: string;
  router: Router;
  gatewayName: string;
  installRouterCrds: boolean;
  imageRepository: string;
  deploymentTimeoutSeconds: number;
  services: Record<ServiceName, ServiceSizing>;
  release: ReleaseConfig;
  /** Image digest per service and version (`sha256:<hex>`); prod's policy refuses an image without one. */
  imageDigests: Partial<Record<ServiceName, Record<string, string>>>;
  /** Zone spread of the service pods: required on prod (the node group spans three zones), preferred elsewhere. */
  zoneSpread: "required" | "preferred";
  seccompProfile: SeccompProfile;
  canary: CanaryPolicy;
  hooks: ReleaseHooks;
  /** A manual database snapshot named after the release before its first traffic step. prod: on. */
  backup: boolean;
  approval: ApprovalRule;
  freeze: FreezeWindow[];
  aws?: AwsConfig;
  local?: LocalConfig;
}

// ---------------------------------------------------------------------------------------------------------------
// Schema. Every custom error text is the fix; `formatIssue` adds the key and the bad value.

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d|[12]\d|3[0-2])$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const QUANTITY = /^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$/;
const serviceList = SERVICE_NAMES.join(", ");

const version = z.string({ error: VERSION_FIX }).regex(SEMVER, { error: VERSION_FIX });
const int = (min: number, max: number, fix: string) =>
  z.number({ error: fix }).int({ error: fix }).min(min, { error: fix }).max(max, { error: fix });
const bool = z.boolean({ error: "set true or false" });
const serviceName = z.enum(SERVICE_NAMES, { error: `use one of ${serviceList}` });
const duration = z.string({ error: DURATION_FIX }).regex(DURATION, { error: DURATION_FIX });
const url = z.string({ error: "set an http(s) URL" }).regex(/^https?:\/\/\S+$/, { error: "set an http(s) URL" });
const quantity = (fix: string) => z.string({ error: fix }).regex(QUANTITY, { error: fix });

// A host only cluster DNS resolves, called from a runner outside the cluster, fails every check: such URLs must name
// a Service (NAME.NAMESPACE.svc[.cluster.local], reached through the API server) or say how they are reached.
const CLUSTER_ONLY_HOST = /^(?:[^.]+|.+\.(?:svc|cluster\.local))$/;
const SERVICE_HOST = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.[a-z0-9]([-a-z0-9]*[a-z0-9])?\.svc(\.cluster\.local)?$/;
const RUNNER_FIX =
  "the host resolves only inside the cluster: write NAME.NAMESPACE.svc.cluster.local (reached through the API server) or set via";
function reachableFromRunner(gate: { url: string; via?: string }): boolean {
  // Placeholders stand for DNS labels here: `$service-canary.$namespace.svc` names a Service.
  const sample = gate.url.replace(/\$(service|namespace|version)/g, "x");
  if (gate.via !== undefined || !URL.canParse(sample)) return true;
  const host = new URL(sample).hostname.toLowerCase().replace(/\.$/, "");
  return (
    host === "localhost" || /^\d+(\.\d+){3}$|^\[/.test(host) || SERVICE_HOST.test(host) || !CLUSTER_ONLY_HOST.test(host)
  );
}
const via = z.enum(GATE_VIAS, { error: `set ${GATE_VIAS.join(" or ")}` }).optional();
const stringList = (fix: string) => z.array(z.string({ error: fix }), { error: fix });
const PINNED_IMAGE = /^[a-z0-9][a-z0-9.\-_/:]*[a-z0-9](?::[A-Za-z0-9_$][A-Za-z0-9_.$-]{0,127}|@sha256:[a-f0-9]{64})$/;
const IMAGE_FIX =
  "set an image with a pinned tag or digest, e.g. registry/smoke-tests:1.4.0 or registry/smoke-tests:$version (never latest)";
const pinnedImage = z
  .string({ error: IMAGE_FIX })
  .regex(PINNED_IMAGE, { error: IMAGE_FIX })
  .refine((i) => !/:latest$/.test(i) && /[:@][^/]*$/.test(i), { error: IMAGE_FIX });

// The fields of a Job the driver runs in the stack's namespace: a `job` gate and a release hook.
const jobFields = {
  name: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/, { error: "set a DNS label of at most 42 characters" })
    .optional(),
  image: pinnedImage,
  command: stringList("set a list of strings, e.g. [/bin/run_smoke_tests.sh]").optional(),
  args: stringList('set a list of strings, e.g. ["--environment", "prod"]').optional(),
  env: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "use an environment variable name: letters, digits, _" }),
      z.string(),
      { error: "set a map of NAME: value" },
    )
    .optional(),
  resources: z
    .strictObject({
      cpuRequest: quantity('set a CPU quantity such as "100m"'),
      memoryRequest: quantity('set a memory quantity such as "128Mi"'),
      cpuLimit: quantity('set a CPU quantity such as "500m"'),
      memoryLimit: quantity('set a memory quantity such as "256Mi"'),
    })
    .optional(),
  backoffLimit: int(0, 10, "set an integer between 0 and 10").optional(),
  serviceAccountName: z
    .string()
    .regex(DNS_LABEL, { error: "set the name of a ServiceAccount in the namespace" })
    .optional(),
  timeout: duration.optional(),
  connectionEnv: bool.optional(),
};

const analysisSchema = z.discriminatedUnion(
  "provider",
  [
    z.strictObject({ provider: z.literal("kubernetes") }),
    z
      .strictObject({
        provider: z.literal("prometheus"),
        url,
        via,
        query: z.string({ error: "set a PromQL query" }).min(1, { error: "set a PromQL query" }),
        max: z.number({ error: "set the highest acceptable value of the query, a number" }),
      })
      .refine(reachableFromRunner, { error: RUNNER_FIX, path: ["url"] }),
    z
      .strictObject({
        provider: z.literal("http"),
        url,
        via,
        status: int(100, 599, "set an HTTP status code").optional(),
        body: z.string({ error: "set the text the response body must contain" }).optional(),
      })
      .refine(reachableFromRunner, { error: RUNNER_FIX, path: ["url"] }),
    z.strictObject({ provider: z.literal("job"), ...jobFields }),
  ],
  { error: 'set provider to "kubernetes", "prometheus", "http" or "job"' },
);

const canarySchema = z.strictObject({
  steps: z
    .array(int(1, 100, STEPS_FIX), { error: STEPS_FIX })
    .refine((s) => checkSteps(s) === undefined, { error: STEPS_FIX })
    .optional(),
  interval: duration.optional(),
  failureLimit: int(1, 100, "set an integer of at least 1").optional(),
  soak: duration.optional(),
  timeout: duration.optional(),
  analysis: z.array(analysisSchema, { error: "set a list of analysis providers" }).optional(),
  strategy: z.enum(STRATEGIES, { error: `use ${STRATEGIES.join(" or ")}` }).optional(),
  bake: duration.optional(),
  prePromotionAnalysis: z.array(analysisSchema, { error: "set a list of analysis providers" }).optional(),
  postPromotionAnalysis: z.array(analysisSchema, { error: "set a list of analysis providers" }).optional(),
});

const HOOK_NAME_FIX = "set a DNS label of at most 42 characters";
const hookSchema = z
  .strictObject({
    ...jobFields,
    name: z.string({ error: HOOK_NAME_FIX }).regex(/^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/, { error: HOOK_NAME_FIX }),
    irreversible: bool.optional(),
  })
  // A hook runs once per release, not per service, so `$service` would silently become empty.
  .refine((h) => !JSON.stringify([h.image, h.command, h.args, h.env]).includes("$service"), {
    error: "a hook runs once per release: $service has no value there; name the service, or use a job gate",
  });
const hookList = z.array(hookSchema, { error: "set a list of Jobs, e.g. [{name: migrate, image: repo/app:$version}]" });
const releasePolicySchema = z.strictObject({
  hooks: z.strictObject({ preTraffic: hookList.optional(), postPromotion: hookList.optional() }).optional(),
  backup: bool.optional(),
});

const serviceOverride = z.strictObject({
  minReplicas: int(1, 100, "set an integer between 1 and 100").optional(),
  maxReplicas: int(1, 500, "set an integer between 1 and 500").optional(),
  cpuRequest: quantity('set a CPU quantity such as "500m"').optional(),
  cpuLimit: quantity('set a CPU quantity such as "2000m"').optional(),
  memoryRequest: quantity('set a memory quantity such as "1Gi"').optional(),
  memoryLimit: quantity('set a memory quantity such as "4Gi"').optional(),
});

// Zone, rule and duration texts are checked with the libraries that evaluate them (automation/release/freeze.ts),
// loaded only when a stack declares a freeze, so the program's start pays nothing for stacks without one.
const validZone = (z: string) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: z });
    return true;
  } catch {
    return false;
  }
};
const validRrule = (text: string) => {
  try {
    const { RRule } = require("rrule") as typeof import("rrule");
    const o = RRule.parseString(text);
    return o.freq !== undefined;
  } catch {
    return false;
  }
};
const validDuration = (text: string) => (require("luxon") as typeof import("luxon")).Duration.fromISO(text).isValid;
const validLocal = (text: string) =>
  (require("luxon") as typeof import("luxon")).DateTime.fromISO(text, { zone: "UTC" }).isValid &&
  !/[zZ]|[+-]\d\d:?\d\d$/.test(text);
const ZONE_FIX = "set an IANA time zone such as America/New_York or Europe/London";
const LOCAL_FIX =
  "set a local date or date-time without offset, e.g. 2026-12-24 or 2026-12-24T18:00 (read in timeZone)";
const zone = z.string({ error: ZONE_FIX }).refine(validZone, { error: ZONE_FIX });
const freezeWindowSchema = z
  .strictObject({
    name: z
      .string({ error: "name the window, e.g. month-end close" })
      .min(1, { error: "name the window, e.g. month-end close" }),
    timeZone: zone.optional(),
    rrule: z
      .string()
      .refine(validRrule, { error: "set an RRULE such as FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=18" })
      .optional(),
    duration: z.string().refine(validDuration, { error: "set an ISO 8601 duration such as PT6H30M or P3D" }).optional(),
    from: z.string().refine(validLocal, { error: LOCAL_FIX }).optional(),
    until: z.string().refine(validLocal, { error: LOCAL_FIX }).optional(),
  })
  .refine((w) => (w.rrule !== undefined) === (w.duration !== undefined), {
    error: "a recurring window needs both rrule and duration",
    path: ["duration"],
  })
  .refine((w) => (w.from !== undefined) === (w.until !== undefined), {
    error: "a one-off window needs both from and until",
    path: ["until"],
  })
  .refine((w) => (w.rrule !== undefined) !== (w.from !== undefined), {
    error: "set either rrule+duration (recurring) or from+until (one-off)",
    path: ["rrule"],
  })
  .refine((w) => w.from === undefined || w.until === undefined || w.from < w.until, {
    error: "set until after from",
    path: ["until"],
  });
const freezeSchema = z.strictObject({
  timeZone: zone.optional(),
  windows: z.array(freezeWindowSchema, { error: "set a list of windows" }),
});
const approvalSchema = z.strictObject({
  requiredReviewers: int(0, 6, "set an integer between 0 and 6 (GitHub allows up to 6 required reviewers)").optional(),
  fourEyes: bool.optional(),
  environment: z.string().min(1, { error: "set the GitHub environment name, e.g. prod" }).optional(),
});

const ROUTER_FIX = `use one of ${ROUTERS.join(", ")}`;
const DIGEST_FIX = 'set a JSON object of service -> { version -> "sha256:<64 hex digits>" }';
const digest = z.string({ error: DIGEST_FIX }).regex(/^sha256:[0-9a-f]{64}$/, { error: DIGEST_FIX });
const SECCOMP_FIX = 'use "RuntimeDefault", or "localhost/<profile path>" for a node-local profile';
const seccomp = z
  .string({ error: SECCOMP_FIX })
  .regex(/^(RuntimeDefault|Unconfined|localhost\/[A-Za-z0-9._/-]+)$/, { error: SECCOMP_FIX });
const schema = z.strictObject({
  environment: z.enum(ENVIRONMENTS, { error: `use one of ${ENVIRONMENTS.join(", ")}` }).optional(),
  namespace: z.string().regex(DNS_LABEL, { error: "set a DNS label: lower-case letters, digits and -" }).optional(),
  router: z.enum(ROUTERS, { error: ROUTER_FIX }).optional(),
  gatewayName: z.string().regex(DNS_LABEL, { error: "set the name of a Gateway in the namespace" }).optional(),
  installRouterCrds: bool.optional(),
  imageRepository: z
    .string({ error: "set an image repository without a tag, e.g. registry.local/slipway" })
    .regex(/^[a-z0-9][a-z0-9.\-_/:]*[a-z0-9]$/, {
      error: "set an image repository without a tag, e.g. registry.local/slipway",
    })
    .refine((r) => !/:[^/]*$/.test(r), { error: "set an image repository without a tag, e.g. registry.local/slipway" })
    .optional(),
  deploymentTimeoutSeconds: int(30, 3600, "set an integer number of seconds between 30 and 3600").optional(),
  services: z
    .partialRecord(serviceName, serviceOverride, { error: "set a JSON object keyed by service name" })
    .optional(),
  stableVersion: version.optional(),
  serviceVersions: z
    .partialRecord(serviceName, version, { error: "set a JSON object of service -> version" })
    .optional(),
  canaryVersion: z.union([z.literal(""), version], { error: VERSION_FIX }).optional(),
  canaryWeight: int(0, 100, WEIGHT_FIX).optional(),
  rolledBackVersion: z.union([z.literal(""), version], { error: VERSION_FIX }).optional(),
  canaryServices: z
    .array(serviceName, { error: 'set a JSON list of service names, e.g. ["api-gateway"]' })
    .min(1, { error: "list at least one service, or remove the key to release every service" })
    .optional(),
  canary: canarySchema.optional(),
  release: releasePolicySchema.optional(),
  imageDigests: z
    .partialRecord(
      serviceName,
      z.record(z.string().regex(SEMVER, { error: VERSION_FIX }), digest, { error: DIGEST_FIX }),
      { error: DIGEST_FIX },
    )
    .optional(),
  zoneSpread: z.enum(["required", "preferred"], { error: "use required or preferred" }).optional(),
  seccompProfile: seccomp.optional(),
  approval: approvalSchema.optional(),
  freeze: freezeSchema.superRefine(refineFreeze).optional(),
  kubernetesVersion: z
    .string()
    .regex(/^1\.\d{2}$/, { error: 'set an EKS version such as "1.31"' })
    .optional(),
  nodeGroup: z
    .strictObject({
      instanceType: z.string({ error: 'set an EC2 instance type such as "m5.xlarge"' }).optional(),
      minSize: int(1, 100, "set an integer between 1 and 100").optional(),
      maxSize: int(1, 100, "set an integer between 1 and 100").optional(),
      desiredSize: int(1, 100, "set an integer between 1 and 100").optional(),
    })
    .optional(),
  apiAllowedCidrs: z
    .array(z.string().regex(CIDR, { error: 'set an IPv4 CIDR such as "203.0.113.0/24"' }), {
      error: 'set a JSON list of CIDRs, e.g. ["203.0.113.0/24"]',
    })
    .optional(),
  natGateways: z.enum(["single", "perAz"], { error: "use single or perAz" }).optional(),
  database: z
    .strictObject({
      instanceClass: z
        .string()
        .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { error: 'set an RDS class such as "db.r5.large"' })
        .optional(),
      engineVersion: z
        .string()
        .regex(/^\d+(\.\d+)?$/, { error: 'set a PostgreSQL version such as "16.4"' })
        .optional(),
      allocatedStorageGb: int(20, 65536, "set an integer number of GiB of at least 20").optional(),
      multiAz: bool.optional(),
      readReplicas: int(0, 5, "set an integer between 0 and 5").optional(),
      backupRetentionDays: int(1, 35, "set an integer between 1 and 35").optional(),
      deletionProtection: bool.optional(),
    })
    .optional(),
  cache: z
    .strictObject({
      nodeType: z
        .string()
        .regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, { error: 'set a node type such as "cache.m5.large"' })
        .optional(),
      clusterMode: bool.optional(),
      shards: int(1, 500, "set an integer between 1 and 500").optional(),
      replicasPerShard: int(0, 5, "set an integer between 0 and 5").optional(),
    })
    .optional(),
  kubeconfig: z.string().min(1, { error: "set kubeconfig contents or a path, or remove the key" }).optional(),
  kubeContext: z.string().min(1, { error: "set a context name, or remove the key" }).optional(),
  dataEndpoints: z
    .record(z.string(), z.string({ error: "set every value as a string" }), {
      error: "set a JSON object of name -> connection string",
    })
    .optional(),
});
type Parsed = z.infer<typeof schema>;

/** How each key's string is decoded before the schema sees it. */
const KIND: Record<keyof Parsed, "string" | "number" | "boolean" | "json"> = {
  environment: "string",
  namespace: "string",
  router: "string",
  gatewayName: "string",
  installRouterCrds: "boolean",
  imageRepository: "string",
  deploymentTimeoutSeconds: "number",
  services: "json",
  stableVersion: "string",
  serviceVersions: "json",
  canaryVersion: "string",
  canaryWeight: "number",
  canaryServices: "json",
  canary: "json",
  release: "json",
  rolledBackVersion: "string",
  approval: "json",
  freeze: "json",
  kubernetesVersion: "string",
  nodeGroup: "json",
  apiAllowedCidrs: "json",
  natGateways: "string",
  database: "json",
  cache: "json",
  kubeconfig: "string",
  kubeContext: "string",
  dataEndpoints: "json",
  imageDigests: "json",
  zoneSpread: "string",
  seccompProfile: "string",
};
const AWS_KEYS: (keyof Parsed)[] = [
  "kubernetesVersion",
  "nodeGroup",
  "apiAllowedCidrs",
  "natGateways",
  "database",
  "cache",
];
const LOCAL_KEYS: (keyof Parsed)[] = ["kubeconfig", "kubeContext", "dataEndpoints"];
const JSON_FIX: Record<string, string> = {
  services: 'set a JSON object such as {"api-gateway":{"minReplicas":4}}',
  serviceVersions: 'set a JSON object such as {"api-gateway":"1.4.1"}',
  canaryServices: 'set a JSON list of service names, e.g. ["api-gateway"]',
  canary: 'set a JSON object such as {"steps":[10,30,100],"interval":"60s"}',
  release:
    'set a JSON object such as {"backup":true,"hooks":{"preTraffic":[{"name":"migrate","image":"repo/app:$version"}]}}',
  approval: 'set a JSON object such as {"requiredReviewers":1,"fourEyes":true}',
  freeze:
    'set a JSON object such as {"timeZone":"America/New_York","windows":[{"name":"year-end","from":"2026-12-24","until":"2027-01-04"}]}',
  nodeGroup: 'set a JSON object such as {"instanceType":"m5.xlarge","minSize":2,"maxSize":5}',
  apiAllowedCidrs: 'set a JSON list of CIDRs, e.g. ["203.0.113.0/24"]',
  database: 'set a JSON object such as {"instanceClass":"db.r5.large"}',
  cache: 'set a JSON object such as {"nodeType":"cache.m5.large"}',
  dataEndpoints: 'set a JSON object such as {"DATABASE_URL":"postgresql://..."}',
};

// ---------------------------------------------------------------------------------------------------------------
// Formatting and decoding

function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
}
function refuse(key: string, value: unknown, fix: string): ConfigError {
  if (value === undefined) return new ConfigError(`${NAMESPACE}:${key} is missing; ${fix}`);
  return new ConfigError(`${NAMESPACE}:${key}: ${show(value)} is not allowed; ${fix}`);
}
function keyPath(path: PropertyKey[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc === "" ? String(p) : `${acc}.${String(p)}`),
    "",
  );
}
function valueAt(obj: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((o, p) => (o !== null && typeof o === "object" ? (o as any)[p as any] : undefined), obj);
}
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length];
}
/** A duration the schema already accepted, in milliseconds. */
function durationMs(text: string): number {
  return parseDuration(text)!;
}

function decode(raw: Record<string, string>): Record<string, unknown> {
  const known = Object.keys(KIND);
  const out: Record<string, unknown> = {};
  for (const [full, text] of Object.entries(raw)) {
    if (!full.startsWith(`${NAMESPACE}:`)) continue;
    const key = full.slice(NAMESPACE.length + 1);
    const kind = KIND[key as keyof Parsed];
    if (kind === undefined) {
      const near = known.reduce((best, k) => (distance(key, k) < distance(key, best) ? k : best));
      const hint = distance(key, near) <= 3 ? `did you mean ${NAMESPACE}:${near}?` : `known keys: ${known.join(", ")}`;
      throw refuse(key, text, `it is not a known key; ${hint}`);
    }
    if (kind === "number") out[key] = /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text;
    else if (kind === "boolean") out[key] = text === "true" ? true : text === "false" ? false : text;
    else if (kind === "json") {
      try {
        out[key] = JSON.parse(text);
      } catch {
        throw refuse(key, text, JSON_FIX[key]);
      }
    } else out[key] = text;
  }
  return out;
}

function formatIssue(input: Record<string, unknown>, issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    const at = [...issue.path, issue.keys[0]];
    return refuse(keyPath(at), valueAt(input, at), "it is not a known field; remove it or fix its spelling").message;
  }
  return refuse(keyPath(issue.path), valueAt(input, issue.path), issue.message).message;
}

// ---------------------------------------------------------------------------------------------------------------
// Per-environment defaults and the checks that depend on the environment

const REPLICA_FLOOR: Record<Environment, number> = { dev: 2, staging: 3, prod: 3, local: 1 };

function awsDefaults(env: Exclude<Environment, "local">): AwsConfig {
  const prod = env === "prod";
  const staging = env === "staging";
  return {
    kubernetesVersion: "1.31",
    nodeGroup: prod
      ? { instanceType: "m5.2xlarge", minSize: 3, maxSize: 20, desiredSize: 3 }
      : staging
        ? { instanceType: "m5.2xlarge", minSize: 3, maxSize: 10, desiredSize: 3 }
        : { instanceType: "m5.xlarge", minSize: 2, maxSize: 5, desiredSize: 2 },
    apiAllowedCidrs: [],
    natGateways: prod ? "perAz" : "single",
    database: {
      instanceClass: prod ? "db.r5.xlarge" : staging ? "db.r5.large" : "db.t3.medium",
      engineVersion: "16.4",
      allocatedStorageGb: prod ? 500 : staging ? 200 : 50,
      multiAz: prod,
      readReplicas: prod ? 2 : staging ? 1 : 0,
      backupRetentionDays: 30,
      deletionProtection: prod,
    },
    cache: prod
      ? { nodeType: "cache.m5.xlarge", clusterMode: true, shards: 3, replicasPerShard: 2 }
      : staging
        ? { nodeType: "cache.m5.large", clusterMode: false, shards: 1, replicasPerShard: 1 }
        : { nodeType: "cache.t3.small", clusterMode: false, shards: 1, replicasPerShard: 0 },
  };
}

function serviceSizing(env: Environment, overrides: Parsed["services"]): Record<ServiceName, ServiceSizing> {
  const out = {} as Record<ServiceName, ServiceSizing>;
  for (const name of SERVICE_NAMES) {
    const seed = SERVICE_SEEDS[name];
    const base: ServiceSizing =
      env === "local"
        ? { ...LOCAL_SIZING, scaleOn: seed.scaleOn, requestsPerSecond: seed.requestsPerSecond }
        : {
            ...seed,
            minReplicas: Math.max(REPLICA_FLOOR[env], env === "dev" ? 2 : seed.minReplicas),
          };
    const o = overrides?.[name] ?? {};
    const sizing: ServiceSizing = { ...base, ...o };
    if (sizing.minReplicas < REPLICA_FLOOR[env]) {
      throw refuse(
        `services.${name}.minReplicas`,
        sizing.minReplicas,
        `set at least ${REPLICA_FLOOR[env]} on a ${env} stack`,
      );
    }
    if (sizing.maxReplicas < sizing.minReplicas) {
      throw refuse(
        `services.${name}.maxReplicas`,
        sizing.maxReplicas,
        `set at least minReplicas (${sizing.minReplicas})`,
      );
    }
    out[name] = sizing;
  }
  return out;
}

function resolveAws(env: Exclude<Environment, "local">, p: Parsed): AwsConfig {
  const d = awsDefaults(env);
  const aws: AwsConfig = {
    kubernetesVersion: p.kubernetesVersion ?? d.kubernetesVersion,
    nodeGroup: { ...d.nodeGroup, ...p.nodeGroup },
    apiAllowedCidrs: p.apiAllowedCidrs ?? d.apiAllowedCidrs,
    natGateways: p.natGateways ?? d.natGateways,
    database: { ...d.database, ...p.database },
    cache: { ...d.cache, ...p.cache },
  };
  const ng = aws.nodeGroup;
  if (ng.minSize > ng.maxSize) throw refuse("nodeGroup.minSize", ng.minSize, `set at most maxSize (${ng.maxSize})`);
  if (ng.desiredSize < ng.minSize || ng.desiredSize > ng.maxSize) {
    throw refuse(
      "nodeGroup.desiredSize",
      ng.desiredSize,
      `set a size between minSize (${ng.minSize}) and maxSize (${ng.maxSize})`,
    );
  }
  if (env === "prod" && aws.apiAllowedCidrs.some((c) => c.endsWith("/0"))) {
    throw refuse(
      "apiAllowedCidrs",
      aws.apiAllowedCidrs,
      "list the networks that may reach the API endpoint; a prod stack never opens it to 0.0.0.0/0",
    );
  }
  if (env === "prod" && !aws.database.multiAz) {
    throw refuse("database.multiAz", false, "a prod stack runs its database Multi-AZ: remove the field or set true");
  }
  if (aws.cache.replicasPerShard === 0 && (aws.cache.clusterMode || aws.cache.shards > 1)) {
    throw refuse("cache.replicasPerShard", 0, "cluster mode needs at least 1 replica per shard");
  }
  if (!aws.cache.clusterMode && aws.cache.shards !== 1) {
    throw refuse("cache.shards", aws.cache.shards, "set 1, or set clusterMode true to shard");
  }
  return aws;
}

const LOCAL_DATA_ENDPOINTS: Record<string, string> = {
  DATABASE_URL: "postgresql://slipway@postgres.slipway-data.svc:5432/slipway?sslmode=require",
  REDIS_URL: "rediss://redis.slipway-data.svc:6379",
};

function resolveRelease(p: Parsed): ReleaseConfig {
  if (p.stableVersion === undefined) {
    throw new ConfigError(
      `${NAMESPACE}:stableVersion is missing; ${VERSION_FIX}, e.g. pulumi config set ${NAMESPACE}:stableVersion 1.0.0`,
    );
  }
  const canaryVersion = p.canaryVersion === "" ? undefined : p.canaryVersion;
  const canaryWeight = p.canaryWeight ?? 0;
  if (canaryVersion === undefined && canaryWeight > 0) {
    throw refuse("canaryWeight", canaryWeight, `set ${NAMESPACE}:canaryVersion first, or set the weight to 0`);
  }
  const rolledBackVersion = p.rolledBackVersion === "" ? undefined : p.rolledBackVersion;
  if (canaryVersion !== undefined && rolledBackVersion !== undefined) {
    throw refuse(
      "rolledBackVersion",
      rolledBackVersion,
      `set it to "" when ${NAMESPACE}:canaryVersion is set: the new canary replaces the rolled-back one`,
    );
  }
  const canaryServices = p.canaryServices ?? [...SERVICE_NAMES];
  const dup = canaryServices.find((s, i) => canaryServices.indexOf(s) !== i);
  if (dup !== undefined) throw refuse("canaryServices", canaryServices, `list each service once (${dup} repeats)`);
  const serviceVersions = {} as Record<ServiceName, string>;
  for (const s of SERVICE_NAMES) serviceVersions[s] = p.serviceVersions?.[s] ?? p.stableVersion;
  return {
    stableVersion: p.stableVersion,
    serviceVersions,
    canaryVersion,
    canaryWeight,
    canaryServices,
    ...(rolledBackVersion ? { rolledBackVersion } : {}),
  };
}

type GateInput = NonNullable<NonNullable<Parsed["canary"]>["analysis"]>[number];

function resolveGate(g: GateInput): AnalysisProvider {
  if (g.provider !== "job") return g;
  const { timeout, ...rest } = g;
  return { ...rest, name: g.name ?? "gate-job", timeout: durationMs(timeout ?? "5m") };
}

type HookInput = z.infer<typeof hookSchema>;
function resolveHook(h: HookInput): HookJob {
  const { timeout, irreversible, ...rest } = h;
  return { ...rest, timeout: durationMs(timeout ?? "10m"), irreversible: irreversible ?? false };
}

function resolveHooks(p: Parsed): ReleaseHooks {
  const h = p.release?.hooks ?? {};
  return { preTraffic: (h.preTraffic ?? []).map(resolveHook), postPromotion: (h.postPromotion ?? []).map(resolveHook) };
}

function resolveCanary(p: Parsed): CanaryPolicy {
  const c = p.canary ?? {};
  const analysis = c.analysis?.map(resolveGate) ?? [{ provider: "kubernetes" as const }];
  return {
    strategy: c.strategy ?? "canary",
    steps: c.steps ?? [10, 30, 100],
    interval: durationMs(c.interval ?? "60s"),
    failureLimit: c.failureLimit ?? 1,
    soak: durationMs(c.soak ?? "0s"),
    timeout: durationMs(c.timeout ?? "5m"),
    analysis,
    prePromotionAnalysis: c.prePromotionAnalysis?.map(resolveGate) ?? analysis,
    bake: durationMs(c.bake ?? "0s"),
    postPromotionAnalysis: c.postPromotionAnalysis?.map(resolveGate) ?? analysis,
  };
}

function resolveApproval(stack: string, env: Environment, p: Parsed): ApprovalRule {
  const prod = env === "prod";
  const a = p.approval ?? {};
  return {
    requiredReviewers: a.requiredReviewers ?? (prod ? 1 : 0),
    fourEyes: a.fourEyes ?? prod,
    environment: a.environment ?? stack,
  };
}

function resolveFreeze(p: Parsed): FreezeWindow[] {
  const f = p.freeze;
  return (f?.windows ?? []).map((w) => ({ ...w, timeZone: w.timeZone ?? f?.timeZone ?? "UTC" }));
}

function resolveEnvironment(stack: string, p: Parsed): Environment {
  const implied = environmentOfStack(stack);
  if (p.environment !== undefined && implied !== undefined && p.environment !== implied) {
    throw refuse(
      "environment",
      p.environment,
      `stack "${stack}" is a ${implied} stack: set ${implied} or remove the key`,
    );
  }
  const env = p.environment ?? implied;
  if (env === undefined) {
    throw new ConfigError(
      `${NAMESPACE}:environment is missing; stack "${stack}" does not name an environment: set one of ${ENVIRONMENTS.join(", ")}`,
    );
  }
  return env;
}

function parseSeccomp(text: string): SeccompProfile {
  return text.startsWith("localhost/")
    ? { type: "Localhost", localhostProfile: text.slice("localhost/".length) }
    : { type: text as "RuntimeDefault" | "Unconfined" };
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
  for (const key of local ? AWS_KEYS : LOCAL_KEYS) {
    if (p[key] !== undefined) {
      const fix = local
        ? "the local stack creates no AWS resource: remove the key"
        : `only the local stack reads it: remove the key from the ${env} stack`;
      throw refuse(key, input[key], fix);
    }
  }
  const router = p.router ?? "smi";
  if (local && router === "alb") {
    throw refuse("router", router, "alb needs the AWS Load Balancer Controller: use smi or gateway on the local stack");
  }
  if (p.imageRepository === undefined && !local) {
    throw new ConfigError(
      `${NAMESPACE}:imageRepository is missing; set the repository the images are pushed to, e.g. 111111111111.dkr.ecr.us-east-1.amazonaws.com/slipway`,
    );
  }
  return {
    stack,
    environment: env,
    namespace: p.namespace ?? `slipway-${env}`,
    router,
    gatewayName: p.gatewayName ?? "slipway",
    installRouterCrds: p.installRouterCrds ?? local,
    imageRepository: p.imageRepository ?? "registry.local/slipway",
    deploymentTimeoutSeconds: p.deploymentTimeoutSeconds ?? (local ? 120 : 600),
    services: serviceSizing(env, p.services),
    release: resolveRelease(p),
    imageDigests: p.imageDigests ?? {},
    zoneSpread: p.zoneSpread ?? (env === "prod" ? "required" : "preferred"),
    seccompProfile: parseSeccomp(p.seccompProfile ?? "RuntimeDefault"),
    canary: resolveCanary(p),
    hooks: resolveHooks(p),
    backup: p.release?.backup ?? env === "prod",
    approval: resolveApproval(stack, env, p),
    freeze: resolveFreeze(p),
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
  const text = (k: keyof typeof RELEASE_KEYS) =>
    typeof release[k] === "string" ? (release[k] as string) : (JSON.stringify(release[k]) ?? "");
  return {
    ...raw,
    ...Object.fromEntries(
      Object.entries(RELEASE_KEYS).map(([k, full]) => [full, text(k as keyof typeof RELEASE_KEYS)]),
    ),
  };
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
  };
}

/** Program side: the current stack's config with its release, validated. */
export function loadConfig(): StackConfig {
  // Required lazily so the driver can import parseStackConfig without the Pulumi runtime.
  const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
  // Only a program the engine runs reads the backend (the language host sets PULUMI_NODEJS_MONITOR, the driver's
  // program server SLIPWAY_PROGRAM_SERVER): a unit test under mocks gets exactly the config it set, never a
  // developer's local record.
  const byEngine = process.env.PULUMI_NODEJS_MONITOR || process.env.SLIPWAY_PROGRAM_SERVER;
  const env = byEngine ? process.env : { SLIPWAY_RELEASE: process.env.SLIPWAY_RELEASE };
  const release = programRelease(pulumi.getProject(), pulumi.getStack(), env);
  return parseStackConfig(pulumi.getStack(), withRelease(pulumi.runtime.allConfig(), release));
}
