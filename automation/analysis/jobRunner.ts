// Running one Kubernetes Job to its end: the manifest from a template (pinned image, placeholders filled, the pod
// spec the policy pack demands of every workload), then create -> wait -> verdict -> delete. Used by the `job` gate;
// any other step that has to run a one-off container in the stack's namespace (a migration before traffic moves)
// runs it the same way. Before it is created, the manifest is checked with the policy pack at the stack's levels, as a
// stack update checks the stack's own workloads. The judgement is pure; the cluster is a small port a test can fake.
import * as k8s from "@kubernetes/client-node";
import { containerSecurityContext, RUN_AS_USER } from "../../contract/podSecurity";
import { CONNECTION_SECRET, JOB_SERVICE_ACCOUNT } from "../../contract/release";
import { evaluateManifestForStack, Manifest, ManifestViolation } from "../../policies/evaluate";
import { PolicyError } from "../errors";
import { loadKubeConfig } from "./cluster";
import { excerpt } from "./common";
import { describeApiError, withSignal } from "./kubernetes";
import { humanDuration } from "../report/format";

export interface JobResources {
  cpuRequest: string;
  memoryRequest: string;
  cpuLimit: string;
  memoryLimit: string;
  /** Scratch space (the /tmp emptyDir and logs); default 64Mi requested, 256Mi limit. */
  ephemeralStorageRequest?: string;
  ephemeralStorageLimit?: string;
}

/** What stack config says about a Job; strings may carry `$version`, `$namespace` and `$service`. */
export interface JobTemplate {
  /** Prefix of the Job's name (a DNS label); the API server appends a random suffix. */
  name: string;
  /** Image with a pinned tag or digest, e.g. registry/smoke-tests:1.4.0 or registry/smoke-tests:$version. */
  image: string;
  command?: string[];
  args?: string[];
  env?: Record<string, string>;
  /** Default 100m/128Mi requested, 500m/256Mi limit. */
  resources?: JobResources;
  /** Retries before the Job fails; default 0 (a failed check is a failure, not a flake to retry). */
  backoffLimit?: number;
  /** Service account the pod runs as; default the platform's `slipway-jobs` account, which may do nothing. */
  serviceAccountName?: string;
  /** Mount the service account's API token: only for a Job that calls the Kubernetes API; default false. */
  automountServiceAccountToken?: boolean;
  /** The services' connection Secret as environment variables, as the service pods get it; default off. */
  connectionEnv?: boolean;
}

/** Within every stack's ceilings, limit/request ratio included (container-resource-ceilings: at most 4). */
export const DEFAULT_JOB_RESOURCES: JobResources = {
  cpuRequest: "125m",
  memoryRequest: "128Mi",
  cpuLimit: "500m",
  memoryLimit: "256Mi",
};
export const DEFAULT_JOB_EPHEMERAL_STORAGE = { request: "64Mi", limit: "256Mi" };

/** A digest names one image for good, so a cached copy is that image; a tag may have moved since it was pulled. */
export function pullPolicyFor(image: string): "IfNotPresent" | "Always" {
  return /@sha256:[0-9a-f]{64}$/.test(image) ? "IfNotPresent" : "Always";
}
/** Kept this long after it ends when the driver could not delete it (killed runner): the cluster cleans up itself. */
export const JOB_TTL_SECONDS = 600;

/**
 * Values of the placeholders, keyed without the `$`; `digests` (service -> sha256:...) resolves an image
 * `<repository>/<service>@$digest` to the release's digest of that service (left as is when it has none).
 */
export type JobVars = Record<"version" | "namespace" | "service", string> & { digests?: Record<string, string> };

export function fill(text: string, vars: JobVars): string {
  return text
    .replace(/([^/@:]+)@\$digest$/, (whole, service: string) =>
      vars.digests?.[service] ? `${service}@${vars.digests[service]}` : whole,
    )
    .replaceAll("$version", vars.version)
    .replaceAll("$namespace", vars.namespace)
    .replaceAll("$service", vars.service);
}

export interface JobPlacement {
  namespace: string;
  /** Labels on the Job and its pod, e.g. which gate and version it checks. */
  labels: Record<string, string>;
  /** Deadline the cluster enforces too (activeDeadlineSeconds), so a Job never outlives its check. */
  timeoutMs: number;
}

/** The Job to create. Pure. */
export function jobManifest(t: JobTemplate, vars: JobVars, at: JobPlacement): k8s.V1Job {
  const r = t.resources ?? DEFAULT_JOB_RESOURCES;
  const image = fill(t.image, vars);
  const container: k8s.V1Container = {
    name: "job",
    image,
    imagePullPolicy: pullPolicyFor(image),
    command: t.command?.map((c) => fill(c, vars)),
    args: t.args?.map((a) => fill(a, vars)),
    env: Object.entries(t.env ?? {}).map(([name, value]) => ({ name, value: fill(value, vars) })),
    envFrom: t.connectionEnv ? [{ secretRef: { name: CONNECTION_SECRET } }] : undefined,
    resources: {
      requests: {
        cpu: r.cpuRequest,
        memory: r.memoryRequest,
        "ephemeral-storage": r.ephemeralStorageRequest ?? DEFAULT_JOB_EPHEMERAL_STORAGE.request,
      },
      limits: {
        cpu: r.cpuLimit,
        memory: r.memoryLimit,
        "ephemeral-storage": r.ephemeralStorageLimit ?? DEFAULT_JOB_EPHEMERAL_STORAGE.limit,
      },
    },
    securityContext: containerSecurityContext(),
    // A read-only root filesystem still needs a writable scratch directory.
    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
  };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { generateName: `${t.name}-`, namespace: at.namespace, labels: at.labels },
    spec: {
      backoffLimit: t.backoffLimit ?? 0,
      activeDeadlineSeconds: Math.max(1, Math.ceil(at.timeoutMs / 1000)),
      ttlSecondsAfterFinished: JOB_TTL_SECONDS,
      template: {
        metadata: { labels: at.labels },
        spec: {
          restartPolicy: "Never",
          serviceAccountName: t.serviceAccountName ?? JOB_SERVICE_ACCOUNT,
          automountServiceAccountToken: t.automountServiceAccountToken ?? false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUN_AS_USER,
            runAsGroup: RUN_AS_USER,
            fsGroup: RUN_AS_USER,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [container],
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
        },
      },
    },
  };
}

/**
 * Checks a Job with the policy pack at `stack`'s levels (policies/config/<stack>.json) before anything asks the
 * cluster: a mandatory violation refuses it as a stack update would (PolicyError, exit code 4); the advisory ones are
 * returned for the caller to report.
 */
export function checkJobPolicies(manifest: k8s.V1Job, stack: string): ManifestViolation[] {
  const violations = evaluateManifestForStack(manifest as Manifest, stack);
  const mandatory = violations.filter((v) => v.level === "mandatory");
  if (mandatory.length > 0) {
    const v = mandatory[0];
    const more = mandatory.length > 1 ? ` (and ${mandatory.length - 1} more)` : "";
    throw new PolicyError(`${stack}: policy ${v.policy} refuses the Job: ${v.message}${more}`, {
      violations: mandatory,
    });
  }
  return violations;
}

export type JobStatus = "succeeded" | "failed" | "deleted" | "timed-out" | "interrupted";
export interface JobOutcome {
  status: JobStatus;
  /** The Job's name, once created. */
  job?: string;
  detail: string;
}

function condition(job: k8s.V1Job, type: string): k8s.V1JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === "True");
}

/** Where a Job stands: still running (undefined) or ended. `job` undefined means it no longer exists. Pure. */
export function jobState(job: k8s.V1Job | undefined): Omit<JobOutcome, "job"> | undefined {
  if (job === undefined) return { status: "deleted", detail: "the Job was deleted before it finished" };
  if (job.metadata?.deletionTimestamp)
    return { status: "deleted", detail: "the Job is being deleted before it finished" };
  const failed = condition(job, "Failed") ?? condition(job, "FailureTarget");
  if (failed) {
    const why = `${failed.reason ?? "Failed"}${failed.message ? `: ${excerpt(failed.message)}` : ""}`;
    return { status: failed.reason === "DeadlineExceeded" ? "timed-out" : "failed", detail: `the Job failed (${why})` };
  }
  if (condition(job, "Complete") ?? condition(job, "SuccessCriteriaMet")) {
    return { status: "succeeded", detail: `the Job succeeded (${job.status?.succeeded ?? 1} pod(s) completed)` };
  }
  return undefined;
}

/** The cluster as the runner needs it. */
export interface JobApi {
  create(namespace: string, job: k8s.V1Job, signal: AbortSignal): Promise<k8s.V1Job>;
  /** undefined when the Job does not exist. */
  read(namespace: string, name: string, signal: AbortSignal): Promise<k8s.V1Job | undefined>;
  /** Deletes the Job and, in the background, its pods; absent is fine. */
  remove(namespace: string, name: string): Promise<void>;
}

export interface RunJobOptions {
  timeoutMs: number;
  signal: AbortSignal;
  /** Time between status reads; default 1000 ms. */
  pollMs?: number;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Creates the Job, waits for its end (success, failure, deletion, the deadline or `signal`), then deletes it. */
export async function runJob(api: JobApi, manifest: k8s.V1Job, o: RunJobOptions): Promise<JobOutcome> {
  const namespace = manifest.metadata?.namespace ?? "default";
  const created = await api.create(namespace, manifest, o.signal);
  const name = created.metadata?.name ?? "";
  try {
    return { ...(await waitForEnd(api, namespace, name, o)), job: name };
  } finally {
    // Never with the run's signal: an interrupted or timed-out check must still remove what it started.
    await api.remove(namespace, name).catch(() => undefined);
  }
}

async function waitForEnd(
  api: JobApi,
  namespace: string,
  name: string,
  o: RunJobOptions,
): Promise<Omit<JobOutcome, "job">> {
  const deadline = performance.now() + o.timeoutMs;
  for (;;) {
    if (o.signal.aborted)
      return { status: "interrupted", detail: `Job ${name} stopped: the check was interrupted or ran out of time` };
    const state = jobState(await api.read(namespace, name, o.signal));
    if (state) return { ...state, detail: `Job ${name}: ${state.detail}` };
    const left = deadline - performance.now();
    if (left <= 0)
      return { status: "timed-out", detail: `Job ${name} did not finish within ${humanDuration(o.timeoutMs)}` };
    await pause(Math.min(o.pollMs ?? 1000, left), o.signal);
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof k8s.ApiException && err.code === 404;
}

/** The port over @kubernetes/client-node's BatchV1Api with the stack's kubeconfig. */
export function batchJobApi(kubeconfigPath?: string): JobApi {
  const batch = loadKubeConfig(kubeconfigPath).makeApiClient(k8s.BatchV1Api);
  return {
    create: (namespace, body, signal) => batch.createNamespacedJob({ namespace, body }, withSignal(signal)),
    read: (namespace, name, signal) =>
      batch.readNamespacedJob({ namespace, name }, withSignal(signal)).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      }),
    async remove(namespace, name) {
      await batch.deleteNamespacedJob({ namespace, name, propagationPolicy: "Background" }).catch((err: unknown) => {
        if (!isNotFound(err)) throw new Error(`could not delete Job ${name}: ${describeApiError(err)}`);
      });
    },
  };
}
