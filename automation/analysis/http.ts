// The `http` gate: GET a URL per released service and require a status and, optionally, a body substring, as the
// seeds' canary check does (`curl -s .../health | grep -q 'UP'`).
import type { AnalysisProvider, GateContext, Verdict } from "../types";
import { checkEach, describeError, excerpt, Fetch, Finding, getText, substitute, targetsOf } from "./common";

export interface HttpGateSpec {
    /** URL with optional `$service`, `$namespace`, `$version` placeholders, e.g. http://$service-canary.$namespace:8080/health */
    url: string;
    /** Status the answer must have; default 200. */
    status?: number;
    /** Text the body must contain, e.g. "UP"; undefined = any body. */
    body?: string;
}

/** Judges one answer against the spec; pure, so the rules are tested without a server. */
export function evaluateHttpAnswer(spec: HttpGateSpec, answer: { status: number; body: string }): Finding {
    const want = spec.status ?? 200;
    const body = excerpt(answer.body) || "empty";
    if (answer.status !== want) return { ok: false, detail: `status ${answer.status}, expected ${want} (body: ${body})` };
    if (spec.body !== undefined && !answer.body.includes(spec.body)) {
        return { ok: false, detail: `status ${answer.status} but the body lacks "${spec.body}" (body: ${body})` };
    }
    return { ok: true, detail: `status ${answer.status}${spec.body !== undefined ? `, body contains "${spec.body}"` : ""}` };
}

export function httpProvider(spec: HttpGateSpec, name = "http", fetchFn: Fetch = fetch): AnalysisProvider {
    return {
        name,
        check(ctx: GateContext, signal: AbortSignal): Promise<Verdict> {
            const started = performance.now();
            return checkEach(name, targetsOf([spec.url], ctx), started, async (service) => {
                const url = substitute(spec.url, ctx, service, true);
                try {
                    const finding = evaluateHttpAnswer(spec, await getText(fetchFn, url, signal));
                    return { ...finding, detail: `GET ${url}: ${finding.detail}` };
                } catch (err) {
                    return { ok: false, detail: `GET ${url}: ${describeError(err)}` };
                }
            });
        },
    };
}
