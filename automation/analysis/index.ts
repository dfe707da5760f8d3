// Analysis providers from stack config, and the gate runner the canary loop calls after each weight step. The runner
// owns the failure rules: a provider that throws, hangs, answers nothing or is interrupted fails its gate; only an
// explicit ok:true from a provider passes.
import type { AnalysisProvider as AnalysisSpec } from "../../stacks/config";
import { gateUrlProblem } from "../../contract/urls";
import { PolicyError } from "../errors";
import { scrubText } from "../secrets";
import type { AnalysisProvider, GateContext, Verdict } from "../types";
import { describeError, elapsed } from "./common";
import { httpProvider } from "./http";
import { jobProvider } from "./job";
import type { JobApi } from "./jobRunner";
import { ClusterReader, kubernetesProvider, kubernetesReader } from "./kubernetes";
import { prometheusProvider } from "./prometheus";
import { defaultTransport, Transport } from "./transport";
import { humanDuration } from "../report/format";

export { ERROR_RATE_QUERY, P95_LATENCY_QUERY, seedPrometheusGates } from "./prometheus";
export type { AnalysisSpec };

export interface ProviderDeps {
  /** How the http and prometheus gates send requests (direct fetch, API server, AWS credentials); defaults per part. */
  transport?: Partial<Transport>;
  /** Cluster access for the kubernetes gate; default @kubernetes/client-node with the context's kubeconfig. */
  cluster?: (kubeconfigPath?: string) => ClusterReader;
  /** Job access for the job gate; default @kubernetes/client-node's BatchV1Api with the context's kubeconfig. */
  jobs?: (kubeconfigPath?: string) => JobApi;
  /** Time between a job gate's status reads; default 1000 ms. */
  jobPollMs?: number;
}

/** A provider that always fails, for a spec that cannot be run: a gate that cannot be checked is not passed. */
function refused(name: string, detail: string): AnalysisProvider {
  return { name, check: async () => ({ provider: name, ok: false, detail, durationMs: 0 }) };
}

/**
 * One provider per spec, in spec order. Names are the provider kind, numbered (`prometheus#2`) when a kind repeats, so
 * verdicts and journal lines tell gates apart.
 */
export function createProviders(specs: readonly AnalysisSpec[], deps: ProviderDeps = {}): AnalysisProvider[] {
  const transport = defaultTransport(deps.transport);
  const total = new Map<string, number>();
  for (const s of specs) total.set(s.provider, (total.get(s.provider) ?? 0) + 1);
  const seen = new Map<string, number>();
  return specs.map((spec, i) => {
    const n = (seen.get(spec.provider) ?? 0) + 1;
    seen.set(spec.provider, n);
    const name = (total.get(spec.provider) ?? 0) > 1 ? `${spec.provider}#${n}` : String(spec.provider);
    // Stack config refuses these first; a gate built another way still never sends (or prints) them.
    const credentials = spec.url ? gateUrlProblem(spec.url, `slipway:canary.analysis[${i}].url`) : undefined;
    if (credentials) return refused(name, credentials);
    switch (spec.provider) {
      case "kubernetes":
        return kubernetesProvider(name, deps.cluster ?? kubernetesReader);
      case "prometheus":
        if (!spec.url || !spec.query || typeof spec.max !== "number") {
          return refused(name, "prometheus gate needs url, query and max; fix slipway:canary.analysis");
        }
        return prometheusProvider({ url: spec.url, query: spec.query, max: spec.max, via: spec.via }, name, transport);
      case "http":
        if (!spec.url) return refused(name, "http gate needs a url; fix slipway:canary.analysis");
        return httpProvider({ url: spec.url, status: spec.status, body: spec.body, via: spec.via }, name, transport);
      case "job":
        return jobGate(spec, name, deps);
      default:
        return refused(
          name,
          `unknown analysis provider "${String(spec.provider)}"; use kubernetes, prometheus, http or job`,
        );
    }
  });
}

function jobGate(spec: AnalysisSpec, name: string, deps: ProviderDeps): AnalysisProvider {
  if (!spec.image || typeof spec.timeout !== "number")
    return refused(name, "job gate needs an image and a timeout; fix slipway:canary.analysis");
  const { command, args, env, resources, backoffLimit, serviceAccountName } = spec;
  const template = {
    name: spec.name ?? "gate-job",
    image: spec.image,
    command,
    args,
    env,
    resources,
    backoffLimit,
    serviceAccountName,
  };
  return jobProvider({ template, timeoutMs: spec.timeout, pollMs: deps.jobPollMs }, name, deps.jobs);
}

export interface RunGatesOptions {
  /** Time each provider gets, in milliseconds. */
  timeoutMs: number;
  /** Aborts every running check (SIGINT); their verdicts then fail as interrupted. */
  signal?: AbortSignal;
}

/**
 * Runs every provider in parallel and returns one verdict per provider, in provider order. Never throws. A verdict's
 * detail goes to the journal and the CI log, so URL credentials and secret shapes in it are masked here.
 */
export async function runGates(
  providers: readonly AnalysisProvider[],
  ctx: GateContext,
  { timeoutMs, signal }: RunGatesOptions,
): Promise<Verdict[]> {
  const verdicts = await Promise.all(providers.map((p) => runOne(p, ctx, timeoutMs, signal)));
  return verdicts.map((v) => ({ ...v, detail: scrubText(v.detail) }));
}

async function runOne(
  provider: AnalysisProvider,
  ctx: GateContext,
  timeoutMs: number,
  outer?: AbortSignal,
): Promise<Verdict> {
  const name = provider.name;
  const started = performance.now();
  const failed = (detail: string): Verdict => ({ provider: name, ok: false, detail, durationMs: elapsed(started) });
  if (outer?.aborted) return failed("interrupted before the check ran");
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onOuterAbort = () => controller.abort(new Error("interrupted"));
  outer?.addEventListener("abort", onOuterAbort, { once: true });
  // The race matters for providers that ignore the signal: their late answer is dropped, never counted.
  const stopped = new Promise<Verdict>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error("timeout"));
      resolve(failed(`no answer within ${humanDuration(timeoutMs)} (timed out)`));
    }, timeoutMs);
    controller.signal.addEventListener("abort", () => {
      if (outer?.aborted) resolve(failed("interrupted while checking"));
    });
  });
  try {
    const checked = Promise.resolve()
      .then(() => provider.check(ctx, controller.signal))
      .then(
        (v) => accept(name, v, started),
        (err: unknown): Verdict =>
          err instanceof PolicyError
            ? { ...failed(err.message), refusedByPolicy: true }
            : failed(`error: ${describeError(err)}`),
      );
    return await Promise.race([checked, stopped]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", onOuterAbort);
    if (!controller.signal.aborted) controller.abort(new Error("gate finished"));
  }
}

/** Accepts a provider's verdict only when it is well formed and explicitly ok. */
function accept(name: string, v: unknown, started: number): Verdict {
  const durationMs = elapsed(started);
  if (typeof v !== "object" || v === null || typeof (v as Verdict).ok !== "boolean") {
    return { provider: name, ok: false, detail: "empty answer: the provider returned no verdict", durationMs };
  }
  const verdict = v as Verdict;
  const detail = typeof verdict.detail === "string" && verdict.detail !== "" ? verdict.detail : "(no detail)";
  const out: Verdict = { provider: name, ok: verdict.ok === true, detail, durationMs };
  if (typeof verdict.value === "number") out.value = verdict.value;
  if (verdict.noData === true && !out.ok) out.noData = true;
  return out;
}
