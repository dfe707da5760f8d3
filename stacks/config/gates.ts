// The schema of the driver's release policy keys: `slipway:canary` (steps and gates) and `slipway:release` (hooks,
// backup). The program reads neither; parseStackConfig validates them for the driver with the same refusals.
import { z } from "zod";
import { checkSteps, digestImageService, PAUSE, STEPS_FIX } from "../../contract/release";
import { bool, DNS_LABEL, duration, int, quantity, url } from "./fields";
import { GATE_VIAS, NO_DATA, STRATEGIES } from "./policyTypes";

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
const PINNED_IMAGE =
  /^[a-z0-9][a-z0-9.\-_/:]*[a-z0-9](?::[A-Za-z0-9_$][A-Za-z0-9_.$-]{0,127}|@sha256:[a-f0-9]{64}|@\$digest)$/;
const IMAGE_FIX =
  "set an image with a pinned tag or digest, e.g. registry/smoke-tests:1.4.0, registry/smoke-tests:$version or registry/slipway/<service>@$digest (never latest)";
const SERVICE_DIGEST_FIX =
  "$digest is the release's digest of a service's image: write <repository>/<service>@$digest with a service of slipway:services";
const pinnedImage = z
  .string({ error: IMAGE_FIX })
  .regex(PINNED_IMAGE, { error: IMAGE_FIX })
  .refine((i) => !/:latest$/.test(i) && /[:@][^/]*$/.test(i), { error: IMAGE_FIX })
  .refine((i) => !i.includes("$digest") || digestImageService(i) !== undefined, { error: SERVICE_DIGEST_FIX });

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

export const analysisSchema = z.discriminatedUnion(
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
        onNoData: z.enum(NO_DATA, { error: `use ${NO_DATA.join(" or ")}` }).optional(),
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

export const canarySchema = z.strictObject({
  steps: z
    .array(z.union([int(1, 100, STEPS_FIX), z.literal(PAUSE)], { error: STEPS_FIX }), { error: STEPS_FIX })
    .refine((s) => checkSteps(s) === undefined, { error: (iss) => checkSteps(iss.input) ?? STEPS_FIX })
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
export const hookSchema = z
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
export const releasePolicySchema = z.strictObject({
  hooks: z.strictObject({ preTraffic: hookList.optional(), postPromotion: hookList.optional() }).optional(),
  backup: bool.optional(),
});
