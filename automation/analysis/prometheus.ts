// The `prometheus` gate: an instant query per released service, its value compared to a ceiling. No data is a
// failure: a canary nobody has measured has not shown that it is healthy.
import type { AnalysisProvider, GateContext, Verdict } from "../types";
import { checkEach, describeError, excerpt, Finding, substitute, targetsOf } from "./common";
import type { Via } from "./endpoint";
import { defaultTransport, getRouted, Transport } from "./transport";

export interface PrometheusGateSpec {
  /** Base URL of the Prometheus HTTP API, e.g. http://prometheus-server.monitoring.svc.cluster.local (the gate adds /api/v1/query). */
  url: string;
  /** PromQL with optional `$service`, `$namespace`, `$version` placeholders. */
  query: string;
  /** Highest acceptable value; the gate passes when every series is at or below it. */
  max: number;
  /** How the URL is reached; undefined = from its host (endpoint.ts). */
  via?: Via;
}

// Labels as a kubernetes-pods scrape job with `labelmap` of the pod labels exposes them; adjust to your metrics.
const CANARY = 'namespace="$namespace",app_kubernetes_io_name="$service",app_kubernetes_io_version="$version"';

/** Seed gate: share of canary requests answered 5xx over the last 2 minutes; the seeds require under 1%. */
export const ERROR_RATE_QUERY = `sum(rate(http_requests_total{${CANARY},status=~"5.."}[2m])) / sum(rate(http_requests_total{${CANARY}}[2m]))`;
/** Seed gate: 95th percentile canary latency in seconds over the last 2 minutes; the seeds require under 100 ms. */
export const P95_LATENCY_QUERY = `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${CANARY}}[2m])))`;

/** The seeds' quality gates (error rate < 1%, p95 < 100 ms) against one Prometheus, as stack config would list them. */
export function seedPrometheusGates(url: string): Array<PrometheusGateSpec & { provider: "prometheus" }> {
  return [
    { provider: "prometheus", url, query: ERROR_RATE_QUERY, max: 0.01 },
    { provider: "prometheus", url, query: P95_LATENCY_QUERY, max: 0.1 },
  ];
}

/** The query endpoint for a base URL, tolerating a trailing slash. */
export function queryUrl(base: string, promql: string): string {
  return `${base.replace(/\/+$/, "")}/api/v1/query?${new URLSearchParams({ query: promql }).toString()}`;
}

/** Prometheus's text form of a sample value: a decimal or exponent number, or NaN / ±Inf (which no gate accepts). */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A sample's value, or why it is not a finite number: a `[time, "value"]` pair is the only shape read. */
export function sampleValue(sample: unknown): number | string {
  if (!Array.isArray(sample) || sample.length !== 2) return `a sample is not a [time, value] pair: ${brief(sample)}`;
  const raw: unknown = sample[1];
  if (typeof raw === "string" && /^nan$/i.test(raw.trim()))
    return "the query returned NaN (no requests in the window?)";
  const n = typeof raw === "string" && NUMBER.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(n)) return `a sample's value ${brief(raw)} is not a finite number`;
  return n;
}

function brief(v: unknown): string {
  return excerpt(JSON.stringify(v) ?? String(v), 60);
}

/** Reads the sample values of an instant-query answer; a string says why there are none usable. */
export function sampleValues(body: unknown): number[] | string {
  if (typeof body !== "object" || body === null) return "the answer is not a JSON object";
  const { status, data, error, errorType } = body as Record<string, unknown>;
  if (status !== "success") return `query failed: ${String(errorType ?? "error")}: ${String(error ?? status)}`;
  const { resultType, result } = (data ?? {}) as Record<string, unknown>;
  if (resultType === "scalar") {
    const v = sampleValue(result);
    return typeof v === "string" ? v : [v];
  }
  if (resultType !== "vector")
    return `unsupported result type ${String(resultType)}; write an instant vector or scalar query`;
  if (!Array.isArray(result)) return "the answer has no result list";
  const values: number[] = [];
  for (const series of result) {
    const v = sampleValue(
      typeof series === "object" && series !== null ? (series as { value?: unknown }).value : series,
    );
    if (typeof v === "string") return v;
    values.push(v);
  }
  return values;
}

/** Judges an instant-query answer against `max`; the worst series decides, and only finite numbers count. Pure. */
export function evaluatePrometheusAnswer(body: unknown, max: number): Finding {
  const values = sampleValues(body);
  if (typeof values === "string") return { ok: false, detail: values };
  if (values.length === 0)
    return {
      ok: false,
      noData: true,
      detail: "empty result: no series matched (no traffic yet, or the labels differ)",
    };
  if (!Number.isFinite(max)) return { ok: false, detail: `max ${String(max)} is not a finite number` };
  const worst = Math.max(...values);
  const ok = Number.isFinite(worst) && worst <= max;
  return { ok, value: worst, detail: `${worst} ${ok ? "<=" : ">"} max ${max}` };
}

/** Judges one HTTP answer of the query endpoint. Pure. */
export function judgeQueryAnswer(answer: { status: number; body: string }, max: number): Finding {
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    const what = answer.status === 200 ? "a body that is not JSON" : "no JSON body";
    return { ok: false, detail: `HTTP ${answer.status} with ${what}: ${excerpt(answer.body) || "empty"}` };
  }
  if (answer.status !== 200) {
    const why = sampleValues(parsed);
    const message = (parsed as { message?: unknown }).message;
    const said = typeof message === "string" ? message : typeof why === "string" ? why : excerpt(answer.body);
    return { ok: false, detail: `HTTP ${answer.status}: ${said}` };
  }
  return evaluatePrometheusAnswer(parsed, max);
}

export function prometheusProvider(
  spec: PrometheusGateSpec,
  name = "prometheus",
  transport: Transport = defaultTransport(),
): AnalysisProvider {
  const perService = spec.query.includes("$service") || spec.url.includes("$service");
  return {
    name,
    async check(ctx: GateContext, signal: AbortSignal): Promise<Verdict> {
      const started = performance.now();
      const verdict = await checkEach(name, targetsOf([spec.query, spec.url], ctx), started, async (service) => {
        const label = perService ? `${service}: ` : "";
        const url = queryUrl(substitute(spec.url, ctx, service, true), substitute(spec.query, ctx, service));
        try {
          const finding = judgeQueryAnswer(
            await getRouted(transport, url, spec.via, ctx, signal, "application/json"),
            spec.max,
          );
          return { ...finding, detail: `${label}${finding.detail}` };
        } catch (err) {
          return { ok: false, detail: `${label}${describeError(err)}` };
        }
      });
      // The query once, as configured, so the verdict names what was measured against which ceiling.
      return { ...verdict, detail: `${excerpt(spec.query, 400)} -> ${verdict.detail}` };
    },
  };
}
