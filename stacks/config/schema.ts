// The schema of every `slipway:` key, the one list of keys: the program's keys, the release keys and the driver's
// release policy keys (./gates.ts, ./freeze.ts). How a key's text is decoded follows from its schema (./decode.ts);
// KEY_INFO adds what a schema cannot say: the fix of a JSON key whose text does not parse, and the stacks a key
// applies to. Every custom error text is the fix; the refusal adds the key and the bad value.
import { z } from "zod";
import { ENVIRONMENTS, SEMVER, SERVICE_NAMES, VERSION_FIX, WEIGHT_FIX } from "../../contract/release";
import { servicesSchema } from "./catalogue";
import { bool, CIDR, DNS_LABEL, int, version } from "./fields";
import { approvalSchema, freezeSchema } from "./freeze";
import { canarySchema, releasePolicySchema } from "./gates";
import { notificationsSchema } from "./notifications";
import { ROUTERS } from "./types";

/** What a key's schema cannot say. */
export interface KeyInfo {
  /** The fix named when the key's text is not JSON (JSON keys only). */
  jsonFix?: string;
  /** The only stacks that read the key: the AWS stacks or the local one; absent = every stack. */
  only?: "aws" | "local";
}
export const KEY_INFO = z.registry<KeyInfo>();

/** The default catalogue's first service, for the examples the fixes give. */
const FIRST = SERVICE_NAMES[0];
/** A service named by a release key: a DNS label; parseStackConfig checks it against the stack's catalogue. */
const serviceName = z.string({ error: "set a service name" }).regex(DNS_LABEL, { error: "set a service name" });

const RESTORE_FIX =
  'set a JSON object such as {"snapshotId":"slipway-prod-release-1-4-0","release":"1.4.0"} (slipway rollback --restore-database writes it), or null';
const ROUTER_FIX = `use one of ${ROUTERS.join(", ")}`;
const DIGEST_FIX = 'set a JSON object of service -> { version -> "sha256:<64 hex digits>" }';
const digest = z.string({ error: DIGEST_FIX }).regex(/^sha256:[0-9a-f]{64}$/, { error: DIGEST_FIX });
const SECCOMP_FIX = 'use "RuntimeDefault", or "localhost/<profile path>" for a node-local profile';
const seccomp = z
  .string({ error: SECCOMP_FIX })
  .regex(/^(RuntimeDefault|Unconfined|localhost\/[A-Za-z0-9._/-]+)$/, { error: SECCOMP_FIX });
/** THE list of keys: every `slipway:` key the config knows, its schema, and how its text is read (./decode.ts). */
export const schema = z.strictObject({
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
  services: servicesSchema.optional().register(KEY_INFO, {
    jsonFix: `set a JSON list such as [{"name":"ledger","port":8080}], or an object such as {"${FIRST}":{"minReplicas":4}}`,
  }),
  stableVersion: version.optional(),
  serviceVersions: z
    .record(serviceName, version, { error: "set a JSON object of service -> version" })
    .optional()
    .register(KEY_INFO, { jsonFix: `set a JSON object such as {"${FIRST}":"1.4.1"}` }),
  canaryVersion: z.union([z.literal(""), version], { error: VERSION_FIX }).optional(),
  canaryWeight: int(0, 100, WEIGHT_FIX).optional(),
  rolledBackVersion: z.union([z.literal(""), version], { error: VERSION_FIX }).optional(),
  restoreFrom: z
    .union([
      z.strictObject({
        snapshotId: z
          .string()
          .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, { error: RESTORE_FIX })
          .max(255),
        release: version,
      }),
      z.null(),
    ])
    .optional()
    .register(KEY_INFO, { jsonFix: RESTORE_FIX }),
  canaryServices: z
    .array(serviceName, { error: `set a JSON list of service names, e.g. ["${FIRST}"]` })
    .min(1, { error: "list at least one service, or remove the key to release every service" })
    .optional()
    .register(KEY_INFO, { jsonFix: `set a JSON list of service names, e.g. ["${FIRST}"]` }),
  canary: canarySchema
    .optional()
    .register(KEY_INFO, { jsonFix: 'set a JSON object such as {"steps":[10,30,100],"interval":"60s"}' }),
  release: releasePolicySchema.optional().register(KEY_INFO, {
    jsonFix:
      'set a JSON object such as {"backup":true,"hooks":{"preTraffic":[{"name":"migrate","image":"repo/app:$version"}]}}',
  }),
  imageDigests: z
    .record(serviceName, z.record(z.string().regex(SEMVER, { error: VERSION_FIX }), digest, { error: DIGEST_FIX }), {
      error: DIGEST_FIX,
    })
    .optional()
    .register(KEY_INFO, { jsonFix: DIGEST_FIX }),
  zoneSpread: z.enum(["required", "preferred"], { error: "use required or preferred" }).optional(),
  seccompProfile: seccomp.optional(),
  approval: approvalSchema
    .optional()
    .register(KEY_INFO, { jsonFix: 'set a JSON object such as {"requiredReviewers":1,"fourEyes":true}' }),
  freeze: freezeSchema.optional().register(KEY_INFO, {
    jsonFix:
      'set a JSON object such as {"timeZone":"America/New_York","windows":[{"name":"year-end","from":"2026-12-24","until":"2027-01-04"}]}',
  }),
  notifications: notificationsSchema.optional().register(KEY_INFO, {
    jsonFix: 'set a JSON list such as [{"kind":"slack","url":"env:SLACK_WEBHOOK_URL","events":["rolled-back"]}]',
  }),
  kubernetesVersion: z
    .string()
    .regex(/^1\.\d{2}$/, { error: 'set an EKS version such as "1.31"' })
    .optional()
    .register(KEY_INFO, { only: "aws" }),
  nodeGroup: z
    .strictObject({
      instanceType: z.string({ error: 'set an EC2 instance type such as "m5.xlarge"' }).optional(),
      minSize: int(1, 100, "set an integer between 1 and 100").optional(),
      maxSize: int(1, 100, "set an integer between 1 and 100").optional(),
      desiredSize: int(1, 100, "set an integer between 1 and 100").optional(),
    })
    .optional()
    .register(KEY_INFO, {
      only: "aws",
      jsonFix: 'set a JSON object such as {"instanceType":"m5.xlarge","minSize":2,"maxSize":5}',
    }),
  apiAllowedCidrs: z
    .array(z.string().regex(CIDR, { error: 'set an IPv4 CIDR such as "203.0.113.0/24"' }), {
      error: 'set a JSON list of CIDRs, e.g. ["203.0.113.0/24"]',
    })
    .optional()
    .register(KEY_INFO, { only: "aws", jsonFix: 'set a JSON list of CIDRs, e.g. ["203.0.113.0/24"]' }),
  natGateways: z
    .enum(["single", "perAz"], { error: "use single or perAz" })
    .optional()
    .register(KEY_INFO, { only: "aws" }),
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
    .optional()
    .register(KEY_INFO, { only: "aws", jsonFix: 'set a JSON object such as {"instanceClass":"db.r5.large"}' }),
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
    .optional()
    .register(KEY_INFO, { only: "aws", jsonFix: 'set a JSON object such as {"nodeType":"cache.m5.large"}' }),
  kubeconfig: z
    .string()
    .min(1, { error: "set kubeconfig contents or a path, or remove the key" })
    .optional()
    .register(KEY_INFO, { only: "local" }),
  kubeContext: z
    .string()
    .min(1, { error: "set a context name, or remove the key" })
    .optional()
    .register(KEY_INFO, { only: "local" }),
  dataEndpoints: z
    .record(z.string(), z.string({ error: "set every value as a string" }), {
      error: "set a JSON object of name -> connection string",
    })
    .optional()
    .register(KEY_INFO, { only: "local", jsonFix: 'set a JSON object such as {"DATABASE_URL":"postgresql://..."}' }),
});
export type Parsed = z.infer<typeof schema>;
