// The release contract: what the program (stacks/, components/) and the driver (automation/) must agree on about a
// release, defined once. The services and environments, the stage order, the release keys the driver moves, the
// annotation and traffic kinds through which the driver reads back what the cluster applied, and the validators of
// versions, steps, weights and durations. Pure: no Pulumi runtime, no I/O, so every side can import it.
import { DEFAULT_CATALOGUE } from "./defaultCatalogue";

/** The default catalogue's services (./defaultCatalogue.ts): a stack's own catalogue (`slipway:services`) may name others. */
export const SERVICE_NAMES: readonly string[] = DEFAULT_CATALOGUE.map((s) => s.name);
/** A service of a catalogue: a DNS label. */
export type ServiceName = string;
export type Track = "stable" | "canary";

/** Whether `name` is a service of `names` (default: the default catalogue's). */
export function isServiceName(name: string, names: readonly string[] = SERVICE_NAMES): name is ServiceName {
  return names.includes(name);
}

export const ENVIRONMENTS = ["dev", "staging", "prod", "local"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Promotion order: a stage takes a version only after the one before it completed it. `local` stands alone. */
export const STAGE_ORDER = ["dev", "staging", "prod"] as const;

/** A local stack named after a stage (local-staging) plays that stage on the local cluster, after local-dev. */
const LOCAL_STAGE = /^(.*local-)(staging|prod)$/;

/** The stage a stack's environment takes its versions from; undefined for the first stage and for `local`. */
export function previousStage(env: Environment | undefined): Environment | undefined;
/**
 * The stack before `stack` among `stacks`: the stack of the previous environment with the same suffix, else the bare
 * environment name; `local-staging` follows `local-dev` when that stack exists.
 */
export function previousStage(stack: string, stacks: readonly string[]): string | undefined;
export function previousStage(stack: string | undefined, stacks?: readonly string[]): string | undefined {
  if (stacks === undefined) {
    const i = (STAGE_ORDER as readonly string[]).indexOf(stack ?? "");
    return i > 0 ? STAGE_ORDER[i - 1] : undefined;
  }
  const local = LOCAL_STAGE.exec(stack!);
  if (local) {
    const prev = `${local[1]}${previousStage(local[2] as Environment)}`;
    return stacks.includes(prev) ? prev : undefined;
  }
  const env = environmentOfStack(stack!);
  const prev = previousStage(env);
  if (prev === undefined) return undefined;
  const same = stack!.replace(env as string, prev);
  return stacks.includes(same) ? same : prev;
}

/** The environment a stack name implies: `prod`, `prod-eu` and `acme/prod` are prod stacks. */
export function environmentOfStack(stack: string): Environment | undefined {
  const base = stack.split("/").pop()!.split(/[-.]/)[0];
  return (ENVIRONMENTS as readonly string[]).includes(base) ? (base as Environment) : undefined;
}

/** The config namespace of every key of the program. */
export const CONFIG_NAMESPACE = "slipway";

/** The release keys: the only values a promotion changes. */
export const RELEASE_KEYS = {
  stableVersion: "slipway:stableVersion",
  serviceVersions: "slipway:serviceVersions",
  canaryVersion: "slipway:canaryVersion",
  canaryWeight: "slipway:canaryWeight",
  canaryServices: "slipway:canaryServices",
  /** The canary version a rollback took off traffic: its Deployments stay at zero replicas until the next promotion replaces them. */
  rolledBackVersion: "slipway:rolledBackVersion",
  /** The primary database restored from a release's snapshot (`slipway rollback --restore-database`); null = none. */
  restoreFrom: "slipway:restoreFrom",
} as const;

/** Every traffic object carries the weight it applies here, so the driver reads one annotation for every router. */
export const CANARY_WEIGHT_ANNOTATION = "slipway.dev/canary-weight";
export const TRACK_LABEL = "slipway.dev/track";

export const TRAFFIC_SPLIT = { apiVersion: "split.smi-spec.io/v1alpha4", kind: "TrafficSplit" } as const;
export const HTTP_ROUTE = { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute" } as const;
/** The traffic object each router's weight lives on; the ALB router keeps it in an Ingress annotation. */
export const TRAFFIC_KINDS = { smi: TRAFFIC_SPLIT, gateway: HTTP_ROUTE } as const;

// ---------------------------------------------------------------------------------------------------------------
// Validators. Each `*_FIX` is the fix a refusal names; each check returns the fix when the value is bad.

/**
 * A semantic version that is also a Kubernetes label value (the image tag and the track labels carry it): at most 63
 * characters, ending in a letter or digit, an optional leading v and -prerelease (numeric identifiers without leading
 * zeros), no +build metadata.
 */
export const SEMVER =
  /^(?=.{1,63}$)(?=.*[0-9A-Za-z]$)v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-(0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*)?$/;
export const VERSION_FIX = "set a semantic version such as 1.4.0 (optional leading v and -prerelease; never latest)";

export function checkVersion(v: unknown): string | undefined {
  return typeof v === "string" && SEMVER.test(v) ? undefined : VERSION_FIX;
}

export const WEIGHT_FIX = "set an integer between 0 and 100";

export function checkWeight(w: unknown): string | undefined {
  return typeof w === "number" && Number.isInteger(w) && w >= 0 && w <= 100 ? undefined : WEIGHT_FIX;
}

/** A canary weight, range-checked: every consumer (replicas, traffic objects) goes through here. */
export function weight(w: number): number {
  if (checkWeight(w) !== undefined) throw new RangeError(`canary weight ${w} is outside 0..100`);
  return w;
}

export const STEPS_FIX =
  "set strictly increasing integer percentages between 1 and 100 ending at 100, e.g. [10,30,100]";
/** The fix when the steps hold a pause: where it may stand. */
export const PAUSE_FIX = `${STEPS_FIX}; a pause goes between two weights, never first, last or twice in a row, e.g. [10,30,pause,100]`;

/** A step that holds the promotion for a person: traffic stays, the lock is released, `promote --continue` goes on. */
export const PAUSE = "pause";
export type StepEntry = number | typeof PAUSE;

/**
 * Weights strictly rising from 1 to 100, ending at 100; a `pause` may stand between two weights (never first, last or
 * twice in a row).
 */
export function checkSteps(steps: unknown): string | undefined {
  if (!Array.isArray(steps) || steps.length === 0) return STEPS_FIX;
  const placed = steps.every((s, i) => s !== PAUSE || (i > 0 && i < steps.length - 1 && steps[i - 1] !== PAUSE));
  const weights = steps.filter((s) => s !== PAUSE);
  const ints = weights.every((s) => typeof s === "number" && Number.isInteger(s) && s >= 1 && s <= 100);
  const rising = weights.every((s, i) => i === 0 || s > weights[i - 1]);
  if (placed && ints && rising && weights[weights.length - 1] === 100) return undefined;
  return weights.length < steps.length ? PAUSE_FIX : STEPS_FIX;
}

/** [10, 30, "pause", 100] -> weights [10, 30, 100] and pauseAfter [1] (the indices of the weights a pause follows). */
export function splitSteps(steps: readonly StepEntry[]): { steps: number[]; pauseAfter: number[] } {
  const weights: number[] = [];
  const pauseAfter: number[] = [];
  for (const s of steps) {
    if (s === PAUSE) pauseAfter.push(weights.length - 1);
    else weights.push(s);
  }
  return { steps: weights, pauseAfter };
}

/** The inverse of splitSteps: [10, 30, 100] with pauseAfter [1] -> "10,30,pause,100". */
export function stepsText(steps: readonly number[], pauseAfter: readonly number[] = []): string {
  return steps.flatMap((w, i) => (pauseAfter.includes(i) && i < steps.length - 1 ? [w, PAUSE] : [w])).join(",");
}

export const DURATION = /^(\d+)(ms|s|m|h)$/;
export const DURATION_FIX = 'set a duration such as "30s" or "5m"';
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** "250ms", "30s", "5m", "2h" -> milliseconds; undefined when the text is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : undefined;
}

/** The Secret of the services' connection settings (addresses and ARNs, no passwords) in every stack's namespace. */
export const CONNECTION_SECRET = "slipway-connections";

/** The ServiceAccount the driver's Jobs run under unless they name one: it holds no role and mounts no API token. */
export const JOB_SERVICE_ACCOUNT = "slipway-jobs";

// ---------------------------------------------------------------------------------------------------------------
// Digest pinning: where every image runs by digest, and how a hook or gate Job names the digest of a release.

/**
 * The environments whose stacks run every image by digest: the policy `container-images-digest-pinned` is mandatory
 * there (policies/config/<stack>.json agrees, a unit test checks it), the stack's config refuses a hook or gate image
 * that is not pinned by digest, and a promotion runs the digests the stage before recorded for the version.
 */
export const DIGEST_PINNED_ENVIRONMENTS = ["staging", "prod"] as const satisfies readonly Environment[];

export function isDigestPinned(env: Environment | undefined): boolean {
  return (DIGEST_PINNED_ENVIRONMENTS as readonly string[]).includes(env ?? "");
}

/** A registry digest as the registry reports it on push. */
export const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** `<repository>/<service>@$digest`: the release's digest of that service's image at the version released. */
const SERVICE_DIGEST_IMAGE = /^(?:.+\/)?([^/@:]+)@\$digest$/;

/** The service whose release digest a `...@$digest` image names; undefined when it names none (or no digest). */
export function digestImageService(image: string): string | undefined {
  return SERVICE_DIGEST_IMAGE.exec(image)?.[1];
}

export const DIGEST_IMAGE_FIX =
  "pin the image by digest: <repository>/<service>@$digest (the release's digest of that service, e.g. " +
  "registry/slipway/<service>@$digest) or <repository>@sha256:<64 hex digits>; a $version tag may point at " +
  "another build than the one the release runs";

/**
 * Why a hook or gate image is not pinned by digest as a digest-pinned stack requires, or undefined when it is:
 * `<repository>[:<tag>]@sha256:<64 hex>` with no placeholder, or `<repository>/<service>@$digest` naming a service.
 */
export function checkDigestPinnedImage(image: string, services: readonly string[] = SERVICE_NAMES): string | undefined {
  if (image.endsWith("@$digest")) {
    const service = digestImageService(image);
    return service !== undefined && isServiceName(service, services) ? undefined : DIGEST_IMAGE_FIX;
  }
  const at = image.lastIndexOf("@");
  if (at < 0 || !DIGEST.test(image.slice(at + 1)) || image.includes("$")) return DIGEST_IMAGE_FIX;
  return undefined;
}
