// The only reader of Pulumi config. `parseStackConfig` is pure so the release driver validates the keys it writes
// with the same schema the program uses; `loadConfig` is the program-side entry.
import { z } from "zod";
import { SERVICE_NAMES, ServiceName } from "../components/naming";
import type { DatabaseArgs } from "../components/dataTier";
import { SERVICE_SEEDS, LOCAL_SIZING } from "./sizing";

export const NAMESPACE = "slipway";
export const ENVIRONMENTS = ["dev", "staging", "prod", "local"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
export const ROUTERS = ["smi", "gateway", "alb"] as const;
export type Router = (typeof ROUTERS)[number];

/** A config value that cannot be used; the message names the key, the bad value and the fix. */
export class ConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ConfigError";
    }
}

export interface AnalysisProvider {
    provider: "kubernetes" | "prometheus" | "http";
    url?: string;
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
}

export interface CanaryPolicy {
    steps: number[];
    /** Milliseconds between a weight step and its analysis. */
    interval: number;
    failureLimit: number;
    /** Milliseconds a stage must have run a version healthily before the next stage may take it. */
    soak: number;
    /** Milliseconds allowed per step. */
    timeout: number;
    analysis: AnalysisProvider[];
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
    canary: CanaryPolicy;
    approval: ApprovalRule;
    freeze: FreezeWindow[];
    aws?: AwsConfig;
    local?: LocalConfig;
}

// ---------------------------------------------------------------------------------------------------------------
// Schema. Every custom error text is the fix; `formatIssue` adds the key and the bad value.

const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
const VERSION_FIX = "set a semantic version such as 1.4.0 (optional leading v and -prerelease; never latest)";
const DURATION = /^(\d+)(ms|s|m|h)$/;
const DURATION_FIX = 'set a duration such as "30s" or "5m"';
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

const analysisSchema = z.discriminatedUnion(
    "provider",
    [
        z.strictObject({ provider: z.literal("kubernetes") }),
        z.strictObject({
            provider: z.literal("prometheus"),
            url,
            query: z.string({ error: "set a PromQL query" }).min(1, { error: "set a PromQL query" }),
            max: z.number({ error: "set the highest acceptable value of the query, a number" }),
        }),
        z.strictObject({
            provider: z.literal("http"),
            url,
            status: int(100, 599, "set an HTTP status code").optional(),
            body: z.string({ error: "set the text the response body must contain" }).optional(),
        }),
    ],
    { error: 'set provider to "kubernetes", "prometheus" or "http"' },
);

const STEPS_FIX = "set strictly increasing integer percentages between 1 and 100 ending at 100, e.g. [10,30,100]";
const canarySchema = z.strictObject({
    steps: z
        .array(int(1, 100, STEPS_FIX), { error: STEPS_FIX })
        .min(1, { error: STEPS_FIX })
        .refine((s) => s.every((v, i) => i === 0 || v > s[i - 1]) && s[s.length - 1] === 100, { error: STEPS_FIX })
        .optional(),
    interval: duration.optional(),
    failureLimit: int(1, 100, "set an integer of at least 1").optional(),
    soak: duration.optional(),
    timeout: duration.optional(),
    analysis: z.array(analysisSchema, { error: "set a list of analysis providers" }).optional(),
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
        return o.freq !== undefined && !/DTSTART|TZID/i.test(text);
    } catch {
        return false;
    }
};
const validDuration = (text: string) => (require("luxon") as typeof import("luxon")).Duration.fromISO(text).isValid;
const validLocal = (text: string) => (require("luxon") as typeof import("luxon")).DateTime.fromISO(text, { zone: "UTC" }).isValid && !/[zZ]|[+-]\d\d:?\d\d$/.test(text);
const ZONE_FIX = "set an IANA time zone such as America/New_York or Europe/London";
const LOCAL_FIX = "set a local date or date-time without offset, e.g. 2026-12-24 or 2026-12-24T18:00 (read in timeZone)";
const zone = z.string({ error: ZONE_FIX }).refine(validZone, { error: ZONE_FIX });
const freezeWindowSchema = z
    .strictObject({
        name: z.string({ error: "name the window, e.g. month-end close" }).min(1, { error: "name the window, e.g. month-end close" }),
        timeZone: zone.optional(),
        rrule: z
            .string()
            .refine(validRrule, { error: "set an RRULE without DTSTART, e.g. FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=18" })
            .optional(),
        duration: z.string().refine(validDuration, { error: "set an ISO 8601 duration such as PT6H30M or P3D" }).optional(),
        from: z.string().refine(validLocal, { error: LOCAL_FIX }).optional(),
        until: z.string().refine(validLocal, { error: LOCAL_FIX }).optional(),
    })
    .refine((w) => (w.rrule !== undefined) === (w.duration !== undefined), {
        error: "a recurring window needs both rrule and duration",
        path: ["duration"],
    })
    .refine((w) => (w.from !== undefined) === (w.until !== undefined), { error: "a one-off window needs both from and until", path: ["until"] })
    .refine((w) => (w.rrule !== undefined) !== (w.from !== undefined), {
        error: "set either rrule+duration (recurring) or from+until (one-off)",
        path: ["rrule"],
    })
    .refine((w) => w.from === undefined || w.until === undefined || w.from < w.until, { error: "set until after from", path: ["until"] });
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
const schema = z.strictObject({
    environment: z.enum(ENVIRONMENTS, { error: `use one of ${ENVIRONMENTS.join(", ")}` }).optional(),
    namespace: z.string().regex(DNS_LABEL, { error: "set a DNS label: lower-case letters, digits and -" }).optional(),
    router: z.enum(ROUTERS, { error: ROUTER_FIX }).optional(),
    gatewayName: z.string().regex(DNS_LABEL, { error: "set the name of a Gateway in the namespace" }).optional(),
    installRouterCrds: bool.optional(),
    imageRepository: z
        .string({ error: "set an image repository without a tag, e.g. registry.local/slipway" })
        .regex(/^[a-z0-9][a-z0-9.\-_/:]*[a-z0-9]$/, { error: "set an image repository without a tag, e.g. registry.local/slipway" })
        .refine((r) => !/:[^/]*$/.test(r), { error: "set an image repository without a tag, e.g. registry.local/slipway" })
        .optional(),
    deploymentTimeoutSeconds: int(30, 3600, "set an integer number of seconds between 30 and 3600").optional(),
    services: z.partialRecord(serviceName, serviceOverride, { error: "set a JSON object keyed by service name" }).optional(),
    stableVersion: version.optional(),
    serviceVersions: z.partialRecord(serviceName, version, { error: "set a JSON object of service -> version" }).optional(),
    canaryVersion: z.union([z.literal(""), version], { error: VERSION_FIX }).optional(),
    canaryWeight: int(0, 100, "set an integer between 0 and 100").optional(),
    canaryServices: z
        .array(serviceName, { error: 'set a JSON list of service names, e.g. ["api-gateway"]' })
        .min(1, { error: "list at least one service, or remove the key to release every service" })
        .optional(),
    canary: canarySchema.optional(),
    approval: approvalSchema.optional(),
    freeze: freezeSchema.optional(),
    kubernetesVersion: z.string().regex(/^1\.\d{2}$/, { error: 'set an EKS version such as "1.31"' }).optional(),
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
            instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { error: 'set an RDS class such as "db.r5.large"' }).optional(),
            engineVersion: z.string().regex(/^\d+(\.\d+)?$/, { error: 'set a PostgreSQL version such as "16.4"' }).optional(),
            allocatedStorageGb: int(20, 65536, "set an integer number of GiB of at least 20").optional(),
            multiAz: bool.optional(),
            readReplicas: int(0, 5, "set an integer between 0 and 5").optional(),
            backupRetentionDays: int(1, 35, "set an integer between 1 and 35").optional(),
            deletionProtection: bool.optional(),
        })
        .optional(),
    cache: z
        .strictObject({
            nodeType: z.string().regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, { error: 'set a node type such as "cache.m5.large"' }).optional(),
            clusterMode: bool.optional(),
            shards: int(1, 500, "set an integer between 1 and 500").optional(),
            replicasPerShard: int(0, 5, "set an integer between 0 and 5").optional(),
        })
        .optional(),
    kubeconfig: z.string().min(1, { error: "set kubeconfig contents or a path, or remove the key" }).optional(),
    kubeContext: z.string().min(1, { error: "set a context name, or remove the key" }).optional(),
    dataEndpoints: z
        .record(z.string(), z.string({ error: "set every value as a string" }), { error: "set a JSON object of name -> connection string" })
        .optional(),
});
type Parsed = z.infer<typeof schema>;

/** How each key's string is decoded before the schema sees it. */
const KIND: Record<keyof Parsed, "string" | "number" | "boolean" | "json"> = {
    environment: "string", namespace: "string", router: "string", gatewayName: "string", installRouterCrds: "boolean",
    imageRepository: "string", deploymentTimeoutSeconds: "number", services: "json", stableVersion: "string",
    serviceVersions: "json", canaryVersion: "string", canaryWeight: "number", canaryServices: "json", canary: "json",
    approval: "json", freeze: "json",
    kubernetesVersion: "string", nodeGroup: "json", apiAllowedCidrs: "json", natGateways: "string", database: "json",
    cache: "json", kubeconfig: "string", kubeContext: "string", dataEndpoints: "json",
};
const AWS_KEYS: (keyof Parsed)[] = ["kubernetesVersion", "nodeGroup", "apiAllowedCidrs", "natGateways", "database", "cache"];
const LOCAL_KEYS: (keyof Parsed)[] = ["kubeconfig", "kubeContext", "dataEndpoints"];
const JSON_FIX: Record<string, string> = {
    services: 'set a JSON object such as {"api-gateway":{"minReplicas":4}}',
    serviceVersions: 'set a JSON object such as {"api-gateway":"1.4.1"}',
    canaryServices: 'set a JSON list of service names, e.g. ["api-gateway"]',
    canary: 'set a JSON object such as {"steps":[10,30,100],"interval":"60s"}',
    approval: 'set a JSON object such as {"requiredReviewers":1,"fourEyes":true}',
    freeze: 'set a JSON object such as {"timeZone":"America/New_York","windows":[{"name":"year-end","from":"2026-12-24","until":"2027-01-04"}]}',
    nodeGroup: 'set a JSON object such as {"instanceType":"m5.xlarge","minSize":2,"maxSize":5}',
    apiAllowedCidrs: 'set a JSON list of CIDRs, e.g. ["203.0.113.0/24"]',
    database: 'set a JSON object such as {"instanceClass":"db.r5.large"}',
    cache: 'set a JSON object such as {"nodeType":"cache.m5.large"}',
    dataEndpoints: 'set a JSON object such as {"DATABASE_URL":"postgresql://..."}',
};

// ---------------------------------------------------------------------------------------------------------------
// Formatting and decoding

function show(v: unknown): string {
    return typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
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
export function durationMs(text: string): number {
    const [, n, unit] = DURATION.exec(text)!;
    return Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as "ms" | "s" | "m" | "h"];
}

/** The environment a stack name implies: `prod`, `prod-eu` and `acme/prod` are prod stacks. */
export function environmentOfStack(stack: string): Environment | undefined {
    const base = stack.split("/").pop()!.split(/[-.]/)[0];
    return (ENVIRONMENTS as readonly string[]).includes(base) ? (base as Environment) : undefined;
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
            throw refuse(`services.${name}.minReplicas`, sizing.minReplicas, `set at least ${REPLICA_FLOOR[env]} on a ${env} stack`);
        }
        if (sizing.maxReplicas < sizing.minReplicas) {
            throw refuse(`services.${name}.maxReplicas`, sizing.maxReplicas, `set at least minReplicas (${sizing.minReplicas})`);
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
        throw refuse("nodeGroup.desiredSize", ng.desiredSize, `set a size between minSize (${ng.minSize}) and maxSize (${ng.maxSize})`);
    }
    if (env === "prod" && aws.apiAllowedCidrs.some((c) => c.endsWith("/0"))) {
        throw refuse("apiAllowedCidrs", aws.apiAllowedCidrs, "list the networks that may reach the API endpoint; a prod stack never opens it to 0.0.0.0/0");
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
        throw new ConfigError(`${NAMESPACE}:stableVersion is missing; ${VERSION_FIX}, e.g. pulumi config set ${NAMESPACE}:stableVersion 1.0.0`);
    }
    const canaryVersion = p.canaryVersion === "" ? undefined : p.canaryVersion;
    const canaryWeight = p.canaryWeight ?? 0;
    if (canaryVersion === undefined && canaryWeight > 0) {
        throw refuse("canaryWeight", canaryWeight, `set ${NAMESPACE}:canaryVersion first, or set the weight to 0`);
    }
    const canaryServices = p.canaryServices ?? [...SERVICE_NAMES];
    const dup = canaryServices.find((s, i) => canaryServices.indexOf(s) !== i);
    if (dup !== undefined) throw refuse("canaryServices", canaryServices, `list each service once (${dup} repeats)`);
    const serviceVersions = {} as Record<ServiceName, string>;
    for (const s of SERVICE_NAMES) serviceVersions[s] = p.serviceVersions?.[s] ?? p.stableVersion;
    return { stableVersion: p.stableVersion, serviceVersions, canaryVersion, canaryWeight, canaryServices };
}

function resolveCanary(p: Parsed): CanaryPolicy {
    const c = p.canary ?? {};
    return {
        steps: c.steps ?? [10, 30, 100],
        interval: durationMs(c.interval ?? "60s"),
        failureLimit: c.failureLimit ?? 1,
        soak: durationMs(c.soak ?? "0s"),
        timeout: durationMs(c.timeout ?? "5m"),
        analysis: (c.analysis as AnalysisProvider[] | undefined) ?? [{ provider: "kubernetes" }],
    };
}

function resolveApproval(stack: string, env: Environment, p: Parsed): ApprovalRule {
    const prod = env === "prod";
    const a = p.approval ?? {};
    return { requiredReviewers: a.requiredReviewers ?? (prod ? 1 : 0), fourEyes: a.fourEyes ?? prod, environment: a.environment ?? stack };
}

function resolveFreeze(p: Parsed): FreezeWindow[] {
    const f = p.freeze;
    return (f?.windows ?? []).map((w) => ({ ...w, timeZone: w.timeZone ?? f?.timeZone ?? "UTC" }));
}

function resolveEnvironment(stack: string, p: Parsed): Environment {
    const implied = environmentOfStack(stack);
    if (p.environment !== undefined && implied !== undefined && p.environment !== implied) {
        throw refuse("environment", p.environment, `stack "${stack}" is a ${implied} stack: set ${implied} or remove the key`);
    }
    const env = p.environment ?? implied;
    if (env === undefined) {
        throw new ConfigError(
            `${NAMESPACE}:environment is missing; stack "${stack}" does not name an environment: set one of ${ENVIRONMENTS.join(", ")}`,
        );
    }
    return env;
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
        throw new ConfigError(`${NAMESPACE}:imageRepository is missing; set the repository the images are pushed to, e.g. 111111111111.dkr.ecr.us-east-1.amazonaws.com/slipway`);
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
        canary: resolveCanary(p),
        approval: resolveApproval(stack, env, p),
        freeze: resolveFreeze(p),
        aws: local ? undefined : resolveAws(env, p),
        local: local
            ? { kubeconfig: p.kubeconfig, kubeContext: p.kubeContext, dataEndpoints: p.dataEndpoints ?? LOCAL_DATA_ENDPOINTS }
            : undefined,
    };
}

/** Program side: the current stack's config, validated. */
export function loadConfig(): StackConfig {
    // Required lazily so the driver can import parseStackConfig without the Pulumi runtime.
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    return parseStackConfig(pulumi.getStack(), pulumi.runtime.allConfig());
}
