// The `kubernetes` gate: for every released service, the canary Deployment's pods run the canary version, are
// ready, have not restarted, and are as many as the Deployment asks for. The judgement is a pure function over pod
// lists; the cluster is read through a small port so tests can serve it from a fake API server.
import * as k8s from "@kubernetes/client-node";
import type { AnalysisProvider, GateContext, Verdict } from "../types";
import { loadKubeConfig } from "./cluster";
import { checkEach, describeError, elapsed, Finding } from "./common";

/** The label selector of a service's canary pods (naming contract: components/service.ts). */
export function canarySelector(service: string): string {
  return `app.kubernetes.io/name=${service},slipway.dev/track=canary`;
}

/** What the gate reads from the cluster for one service. */
export interface CanaryObservation {
  /** spec.replicas of the `S-canary` Deployment; undefined when the Deployment does not exist. */
  desired: number | undefined;
  pods: k8s.V1Pod[];
}

/** Reads a service's canary Deployment and pods. */
export interface ClusterReader {
  observe(namespace: string, service: string, signal: AbortSignal): Promise<CanaryObservation>;
}

function isReady(pod: k8s.V1Pod): boolean {
  return (
    pod.status?.phase === "Running" &&
    (pod.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")
  );
}

function restartsOf(pod: k8s.V1Pod): string[] {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return statuses
    .filter((c) => (c.restartCount ?? 0) > 0)
    .map((c) => {
      const why = c.lastState?.terminated?.reason ?? c.state?.waiting?.reason;
      return `${c.name} restarted ${c.restartCount}x${why ? ` (${why})` : ""}`;
    });
}

/** Judges one service's canary from what the cluster shows. Pure. */
export function evaluateCanaryPods(service: string, canaryVersion: string, observed: CanaryObservation): Finding {
  if (observed.desired === undefined)
    return { ok: false, detail: `${service}: Deployment ${service}-canary not found` };
  const live = observed.pods.filter((p) => !p.metadata?.deletionTimestamp);
  if (live.length === 0) return { ok: false, detail: `${service}: no canary pods (desired ${observed.desired})` };
  const problems: string[] = [];
  let ready = 0;
  for (const pod of live) {
    const name = pod.metadata?.name ?? "(unnamed pod)";
    const version = pod.metadata?.labels?.["app.kubernetes.io/version"];
    if (version !== canaryVersion)
      problems.push(`${name} runs ${version ?? "no version label"}, expected ${canaryVersion}`);
    const restarts = restartsOf(pod);
    if (restarts.length > 0) problems.push(`${name}: ${restarts.join(", ")}`);
    if (isReady(pod)) ready += 1;
    else problems.push(`${name} not ready (${pod.status?.phase ?? "no status"})`);
  }
  if (ready < observed.desired) problems.push(`${ready} of ${observed.desired} desired pods ready`);
  if (observed.desired === 0) problems.push("the canary Deployment asks for 0 replicas");
  if (problems.length > 0) return { ok: false, detail: `${service}: ${problems.join("; ")}` };
  return {
    ok: true,
    detail: `${service}: ${ready}/${observed.desired} canary pods ready on ${canaryVersion}, no restarts`,
  };
}

/** Cluster access through @kubernetes/client-node; `kubeconfigPath` undefined = KUBECONFIG or ~/.kube/config. */
export function kubernetesReader(kubeconfigPath?: string): ClusterReader {
  const kc = loadKubeConfig(kubeconfigPath);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  return {
    async observe(namespace, service, signal) {
      const options = withSignal(signal);
      const desired = apps
        .readNamespacedDeployment({ namespace, name: `${service}-canary` }, options)
        .then((d) => d.spec?.replicas ?? 1)
        .catch((err: unknown) => {
          if (err instanceof k8s.ApiException && err.code === 404) return undefined;
          throw err;
        });
      const pods = core.listNamespacedPod({ namespace, labelSelector: canarySelector(service) }, options);
      const [replicas, list] = await Promise.all([desired, pods]);
      return { desired: replicas, pods: list.items };
    },
  };
}

/** Request options that cancel the request when `signal` aborts. */
export function withSignal(signal: AbortSignal): k8s.ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (context) => {
          context.setSignal(signal);
          return new k8s.Observable(Promise.resolve(context));
        },
        post: (response) => new k8s.Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: "append",
  };
}

/** One line for a Kubernetes API failure: the status code and the API's own message when there is one. */
export function describeApiError(err: unknown): string {
  if (err instanceof k8s.ApiException) {
    const body = (typeof err.body === "string" ? safeJson(err.body) : err.body) as { message?: string } | undefined;
    return `Kubernetes API answered ${err.code}${body?.message ? `: ${body.message}` : ""}`;
  }
  return describeError(err);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 120) };
  }
}

export function kubernetesProvider(
  name = "kubernetes",
  readerFor: (kubeconfigPath?: string) => ClusterReader = kubernetesReader,
): AnalysisProvider {
  return {
    name,
    async check(ctx: GateContext, signal: AbortSignal): Promise<Verdict> {
      const started = performance.now();
      let reader: ClusterReader;
      try {
        reader = readerFor(ctx.kubeconfigPath);
      } catch (err) {
        const detail = `cannot load the kubeconfig ${ctx.kubeconfigPath ?? "(default)"}: ${describeError(err)}`;
        return { provider: name, ok: false, detail, durationMs: elapsed(started) };
      }
      return checkEach(name, ctx.services, started, async (service) => {
        try {
          return evaluateCanaryPods(service, ctx.canaryVersion, await reader.observe(ctx.namespace, service, signal));
        } catch (err) {
          return { ok: false, detail: `${service}: ${describeApiError(err)}` };
        }
      });
    },
  };
}
