// Pieces every analysis provider shares: placeholder substitution, readable causes for network errors, and a bounded
// GET. Providers turn every failure into a failed Verdict; nothing here decides pass or fail.
import type { GateContext, Verdict } from "../types";

/** Placeholders a gate's URL or PromQL may carry; `$version` is the canary version under analysis. */
export const PLACEHOLDERS = ["$service", "$namespace", "$version"] as const;

/** Replaces `$service`, `$namespace` and `$version`; `encode` escapes the values for use inside a URL. */
export function substitute(template: string, ctx: GateContext, service: string, encode = false): string {
  const esc = (v: string) => (encode ? encodeURIComponent(v) : v);
  return template
    .replaceAll("$service", esc(service))
    .replaceAll("$namespace", esc(ctx.namespace))
    .replaceAll("$version", esc(ctx.canaryVersion));
}

/**
 * The services a templated gate runs for: each released service when the template names `$service`, otherwise one
 * run (the first service only fills the other placeholders' context).
 */
export function targetsOf(templates: string[], ctx: GateContext): string[] {
  const perService = templates.some((t) => t.includes("$service"));
  if (perService) return ctx.services;
  return [ctx.services[0] ?? ""];
}

/** One line naming the cause, including the socket error behind fetch's generic "fetch failed". */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === "AbortError" || err.name === "TimeoutError") return "aborted before an answer arrived";
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: string }).code;
    return `${err.message}: ${code !== undefined && !cause.message.includes(code) ? `${code} ` : ""}${cause.message}`;
  }
  return err.message;
}

/** Longest body kept from a gate's response; a health page or a query result is far smaller. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface HttpAnswer {
  status: number;
  body: string;
}

export type Fetch = typeof fetch;

/**
 * GET with the signal attached; the body is cut at MAX_BODY_BYTES so a runaway endpoint cannot exhaust memory. A
 * redirect is returned as it is, never followed (transport.ts follows same-origin ones itself).
 */
export async function getText(
  fetchFn: Fetch,
  url: string,
  signal: AbortSignal,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  const res = await fetchFn(url, { method: "GET", signal, headers, redirect: "manual" });
  return readBounded(res.status, res.body);
}

/** Reads at most MAX_BODY_BYTES of a response body, then cancels the rest. */
export async function readBounded(status: number, body: ReadableStream<Uint8Array> | null): Promise<HttpAnswer> {
  const reader = body?.getReader();
  if (!reader) return { status, body: "" };
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_BODY_BYTES) {
      await reader.cancel();
      break;
    }
  }
  return { status, body: Buffer.concat(chunks).toString("utf8").slice(0, MAX_BODY_BYTES) };
}

/** Shortens text for a verdict's detail line. */
export function excerpt(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

export interface Finding {
  ok: boolean;
  detail: string;
  value?: number;
  /** Failed because the query matched no series, nothing else. */
  noData?: boolean;
}

/**
 * Runs one check per target in parallel and folds the findings into one verdict: ok only when every target passed,
 * `value` the worst (highest) one seen. A check that throws is a failed finding naming the cause.
 */
export async function checkEach(
  provider: string,
  targets: string[],
  started: number,
  check: (target: string) => Promise<Finding>,
): Promise<Verdict> {
  const findings = await Promise.all(
    targets.map((t) => check(t).catch((err: unknown): Finding => ({ ok: false, detail: describeError(err) }))),
  );
  const values = findings.flatMap((f) => (f.value === undefined ? [] : [f.value]));
  const verdict: Verdict = {
    provider,
    ok: findings.length > 0 && findings.every((f) => f.ok),
    detail: findings.length > 0 ? findings.map((f) => f.detail).join("; ") : "nothing to check: no service released",
    durationMs: elapsed(started),
  };
  if (values.length > 0) verdict.value = Math.max(...values);
  const failed = findings.filter((f) => !f.ok);
  if (failed.length > 0 && failed.every((f) => f.noData)) verdict.noData = true;
  return verdict;
}
