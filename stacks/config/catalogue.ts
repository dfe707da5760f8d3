// `slipway:services`, the service catalogue: its schema (part of ./schema.ts, the one list of keys) and its resolution.
// Two shapes: a JSON list of services (the catalogue, the general form), or a JSON object of per-service sizing
// overrides keyed by the default catalogue's names (the older shape: the default catalogue with its numbers changed).
import { z } from "zod";
import type { CatalogueEntry } from "../../contract/catalogue";
import { BUCKET_PURPOSES } from "../../contract/catalogue";
import { DEFAULT_CATALOGUE } from "../../contract/defaultCatalogue";
import type { Environment } from "../../contract/release";
import { refuse } from "./errors";
import { bool, CIDR, DNS_LABEL, int, quantity, serviceName } from "./fields";
import { analysisSchema } from "./gates";
import type { AnalysisProvider } from "./policyTypes";
import { REPLICA_FLOOR, serviceSizing, stackSizing } from "./defaults";
import type { ServiceDefinition, ServiceSizing } from "./types";

const sizingFields = {
  minReplicas: int(1, 100, "set an integer between 1 and 100").optional(),
  maxReplicas: int(1, 500, "set an integer between 1 and 500").optional(),
  cpuRequest: quantity('set a CPU quantity such as "500m"').optional(),
  cpuLimit: quantity('set a CPU quantity such as "2000m"').optional(),
  memoryRequest: quantity('set a memory quantity such as "1Gi"').optional(),
  memoryLimit: quantity('set a memory quantity such as "4Gi"').optional(),
};
const serviceOverride = z.strictObject(sizingFields);

const NAME_FIX = "set a DNS label of at most 40 characters: lower-case letters, digits and -";
const PATH_FIX = 'set an absolute HTTP path such as "/health"';
const path = z.string({ error: PATH_FIX }).regex(/^\/[A-Za-z0-9._~/-]*$/, { error: PATH_FIX });
const REPO_FIX = "set an image repository without a tag, e.g. registry.local/billing/ledger";
const label = z.string({ error: NAME_FIX }).regex(DNS_LABEL, { error: NAME_FIX }).max(40, { error: NAME_FIX });

const reaches = z.strictObject(
  {
    database: bool.optional(),
    cache: bool.optional(),
    buckets: z
      .partialRecord(
        z.enum(BUCKET_PURPOSES, { error: `use one of ${BUCKET_PURPOSES.join(", ")}` }),
        z.enum(["read", "write"], { error: "use read or write" }),
        {
          error: 'set a JSON object such as {"artifacts":"read"}',
        },
      )
      .optional(),
    services: z.array(label, { error: 'set a JSON list of service names, e.g. ["ledger"]' }).optional(),
    egress: z
      .array(
        z.strictObject({
          cidr: z
            .string({ error: 'set an IPv4 CIDR such as "10.20.0.0/16"' })
            .regex(CIDR, { error: 'set an IPv4 CIDR such as "10.20.0.0/16"' }),
          ports: z
            .array(int(1, 65535, "set TCP ports between 1 and 65535"), {
              error: "set a JSON list of TCP ports, e.g. [443]",
            })
            .min(1, { error: "list at least one port" }),
        }),
        { error: 'set a JSON list such as [{"cidr":"10.20.0.0/16","ports":[443]}]' },
      )
      .optional(),
  },
  { error: 'set a JSON object such as {"database":true,"services":["ledger"]}' },
);

const entry = z.strictObject(
  {
    name: label,
    image: z
      .string({ error: REPO_FIX })
      .regex(/^[a-z0-9][a-z0-9.\-_/]*[a-z0-9]$/, { error: REPO_FIX })
      .optional(),
    port: int(1024, 65535, "set a port between 1024 and 65535 (the containers run as non-root)").optional(),
    health: path.optional(),
    readiness: path.optional(),
    ...sizingFields,
    ephemeralStorageRequest: quantity('set a quantity such as "128Mi"').optional(),
    ephemeralStorageLimit: quantity('set a quantity such as "1Gi"').optional(),
    scaleOn: z.enum(["cpu", "memory"], { error: "use cpu or memory" }).optional(),
    scaleTarget: int(1, 100, "set a utilization percentage between 1 and 100").optional(),
    requestsPerSecond: int(1, 100000, "set an integer number of requests per second per pod").optional(),
    reaches: reaches.optional(),
    entry: bool.optional(),
    canary: bool.optional(),
    gates: z.array(analysisSchema, { error: 'set a JSON list of gates, e.g. [{"provider":"kubernetes"}]' }).optional(),
  },
  { error: 'set a JSON object such as {"name":"ledger","port":8080}' },
);

const FIRST = DEFAULT_CATALOGUE[0].name;
export const SERVICES_FIX = `set a JSON list of services such as [{"name":"ledger","port":8080,"entry":true}], or per-service overrides such as {"${FIRST}":{"minReplicas":4}}`;

const catalogueList = z
  .array(entry, { error: SERVICES_FIX })
  .min(1, { error: "list at least one service, or remove the key" })
  .max(50, { error: "list at most 50 services" });
const overrides = z.partialRecord(serviceName, serviceOverride, { error: SERVICES_FIX });

/**
 * `slipway:services`: the catalogue (a list), or overrides of the default catalogue's sizing (an object). The shape
 * picks the schema, so a refusal names the field inside it that is wrong.
 */
export const servicesSchema = z
  .unknown()
  .transform((v, ctx): z.infer<typeof catalogueList> | z.infer<typeof overrides> => {
    const r = Array.isArray(v) ? catalogueList.safeParse(v) : overrides.safeParse(v);
    if (r.success) return r.data;
    for (const issue of r.error.issues) ctx.issues.push({ ...issue, input: v } as never);
    return z.NEVER;
  });
type ServicesKey = z.infer<typeof servicesSchema>;
type Entry = z.infer<typeof entry>;

export interface Catalogue {
  /** True for the default catalogue (absent key, or per-service overrides). */
  isDefault: boolean;
  sizing: Record<string, ServiceSizing>;
  definitions: Record<string, ServiceDefinition>;
}

function definitionOf(e: CatalogueEntry | Entry): ServiceDefinition {
  const g = (e as Entry).gates;
  return {
    ...(e.image === undefined ? {} : { image: e.image }),
    ...(e.port === undefined ? {} : { port: e.port }),
    ...(e.health === undefined ? {} : { health: e.health }),
    ...(e.readiness === undefined ? {} : { readiness: e.readiness }),
    reaches: e.reaches ?? {},
    entry: e.entry === true,
    canary: e.canary !== false,
    gates: (g ?? []) as AnalysisProvider[],
  };
}

/** Names once each; every service reached is in the catalogue and is not the service itself; one is canaried. */
function checkCatalogue(list: Entry[]): void {
  const names = list.map((e) => e.name);
  list.forEach((e, i) => {
    if (names.indexOf(e.name) !== i) throw refuse(`services[${i}].name`, e.name, "name each service once");
    (e.reaches?.services ?? []).forEach((to, k) => {
      if (to === e.name || !names.includes(to))
        throw refuse(
          `services[${i}].reaches.services[${k}]`,
          to,
          `name another service of the catalogue: ${names.filter((n) => n !== e.name).join(", ") || "(none)"}`,
        );
    });
  });
  if (!list.some((e) => e.canary !== false))
    throw refuse(
      "services",
      names,
      "set canary true (or leave it out) on at least one service: a promotion canaries it",
    );
}

/** The catalogue a stack runs, sized for its environment. */
export function resolveCatalogue(env: Environment, key: ServicesKey | undefined): Catalogue {
  if (key === undefined || !Array.isArray(key)) {
    const sizing = serviceSizing(env, key);
    const definitions = Object.fromEntries(DEFAULT_CATALOGUE.map((e) => [e.name, definitionOf(e)]));
    return { isDefault: true, sizing, definitions };
  }
  checkCatalogue(key);
  const sizing: Record<string, ServiceSizing> = {};
  key.forEach((e, i) => {
    const s: ServiceSizing = stackSizing(env, e);
    if (s.minReplicas < REPLICA_FLOOR[env])
      throw refuse(`services[${i}].minReplicas`, s.minReplicas, `set at least ${REPLICA_FLOOR[env]} on a ${env} stack`);
    if (s.maxReplicas < s.minReplicas)
      throw refuse(`services[${i}].maxReplicas`, s.maxReplicas, `set at least minReplicas (${s.minReplicas})`);
    sizing[e.name] = s;
  });
  return { isDefault: false, sizing, definitions: Object.fromEntries(key.map((e) => [e.name, definitionOf(e)])) };
}

/**
 * The services a stack file's catalogue names (raw config, full keys, as strings): the list's names, else the default
 * catalogue's. A value that does not parse names the default catalogue here; the stack's full parse refuses it.
 */
export function catalogueNames(raw: Record<string, string>): string[] {
  const text = raw["slipway:services"];
  let value: unknown;
  try {
    value = text === undefined ? undefined : JSON.parse(text);
  } catch {
    value = undefined;
  }
  const parsed = servicesSchema.safeParse(value);
  return parsed.success && Array.isArray(parsed.data)
    ? parsed.data.map((e) => e.name)
    : DEFAULT_CATALOGUE.map((e) => e.name);
}
