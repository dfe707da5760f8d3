// The `http` gate: GET a URL per released service and require a status and, optionally, a body substring, as the
// seeds' canary check does (`curl -s .../health | grep -q 'UP'`).
import type { AnalysisProvider, GateContext, Verdict } from "../types";
import { checkEach, describeError, excerpt, Finding, substitute, targetsOf } from "./common";
import type { Via } from "./endpoint";
import { defaultTransport, getRouted, Transport } from "./transport";

export interface HttpGateSpec {
  /** URL with optional `$service`, `$namespace`, `$version` placeholders, e.g. http://$service-canary.$namespace.svc.cluster.local/health */
  url: string;
  /** Status the answer must have; default 200. */
  status?: number;
  /** Text the body must contain, e.g. "UP"; undefined = any body. */
  body?: string;
  /** How the URL is reached; undefined = from its host (endpoint.ts). */
  via?: Via;
}

/** Judges one answer against the spec; pure, so the rules are tested without a server. */
export function evaluateHttpAnswer(spec: HttpGateSpec, answer: { status: number; body: string }): Finding {
  const want = spec.status ?? 200;
  const body = excerpt(answer.body) || "empty";
  if (answer.status !== want) return { ok: false, detail: `status ${answer.status}, expected ${want} (body: ${body})` };
  if (spec.body !== undefined && !answer.body.includes(spec.body)) {
    return { ok: false, detail: `status ${answer.status} but the body lacks "${spec.body}" (body: ${body})` };
  }
  return {
    ok: true,
    detail: `status ${answer.status}${spec.body !== undefined ? `, body contains "${spec.body}"` : ""}`,
  };
}

export function httpProvider(
  spec: HttpGateSpec,
  name = "http",
  transport: Transport = defaultTransport(),
): AnalysisProvider {
  return {
    name,
    check(ctx: GateContext, signal: AbortSignal): Promise<Verdict> {
      const started = performance.now();
      return checkEach(name, targetsOf([spec.url], ctx), started, async (service) => {
        const url = substitute(spec.url, ctx, service, true);
        try {
          const answer = await getRouted(transport, url, spec.via, ctx, signal);
          const finding = evaluateHttpAnswer(spec, answer);
          return { ...finding, detail: `GET ${answer.target}: ${finding.detail}` };
        } catch (err) {
          // getRouted's errors start with the URL and the way it was reached.
          return { ok: false, detail: `GET ${describeError(err)}` };
        }
      });
    },
  };
}
