// A minimal GitHub REST reader for the approval rule (./approval.ts): GET only, the job's token sent only to the
// origin of GITHUB_API_URL, a redirect followed only within that origin, lists read page by page (`Link: rel="next"`,
// per_page=100) up to MAX_PAGES. Any failure (a status, a timeout, another origin, too many pages, an answer that is
// not the documented shape) is an EngineError naming the rule `verified-approval`: an approval is never assumed.
import { EngineError, InputError } from "../errors";
import { humanDuration } from "../report/format";

/** Pages of 100 read at most per list: a run with more reviews than that is refused rather than half read. */
export const MAX_PAGES = 10;
/** Same-origin redirects followed at most per request. */
const MAX_REDIRECTS = 3;

export interface GithubReader {
  /** One object: `route` is the documented route (for messages), `params` fill its `{placeholders}`. */
  get<T>(route: string, params: Record<string, string>): Promise<T>;
  /** Every page of a list answer, concatenated; `what` names the list in a refusal. */
  list<T>(route: string, params: Record<string, string>, what: string): Promise<T[]>;
}

function fail(route: string, why: string): EngineError {
  return new EngineError(
    `approval refused (rule verified-approval): ${route} failed (${why}); the approval cannot be proven, so the promotion does not run. ` +
      "Check that the job's token has `actions: read` and re-run the job",
    { rule: "verified-approval" },
  );
}

/** The URL of `rel="next"` in a Link header, if any. */
export function nextLink(link: string | null): string | undefined {
  for (const part of (link ?? "").split(",")) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m && /(^|;)\s*rel="?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(m[2])) return m[1];
  }
  return undefined;
}

interface Origin {
  base: URL;
  headers: Record<string, string>;
  timeoutMs: number;
}

/** One GET, following same-origin redirects only; the token never leaves the API's origin. */
async function fetchOnce(o: Origin, route: string, start: URL): Promise<Response> {
  const { base, timeoutMs } = o;
  const signal = AbortSignal.timeout(timeoutMs);
  let url = start;
  for (let hop = 0; ; hop++) {
    if (url.origin !== base.origin)
      throw fail(
        route,
        `the API pointed to ${url.origin}, not ${base.origin}; the token is sent to ${base.origin} only`,
      );
    let r: Response;
    try {
      r = await fetch(url, { headers: o.headers, redirect: "manual", signal });
    } catch (err) {
      const e = err as Error & { cause?: Error };
      const timedOut = [e.name, e.cause?.name].some((n) => n === "TimeoutError" || n === "AbortError");
      throw fail(
        route,
        timedOut ? `no answer within ${humanDuration(timeoutMs)}` : `${e.name}: ${e.message.split("\n")[0]}`,
      );
    }
    if (r.status < 300 || r.status >= 400) return r;
    const location = r.headers.get("location");
    await r.body?.cancel();
    if (location === null || hop >= MAX_REDIRECTS)
      throw fail(route, `${r.status}: a redirect ${location === null ? "without a Location" : "loop"}`);
    const next = new URL(location, url);
    if (next.origin !== base.origin)
      throw fail(
        route,
        `${r.status}: a redirect to another origin (${next.origin}), not followed; the token is sent to ${base.origin} only`,
      );
    url = next;
  }
}

/** One answer as JSON, with the next page's URL when the Link header gives one. */
async function read(o: Origin, route: string, url: URL): Promise<{ data: unknown; next?: string }> {
  const r = await fetchOnce(o, route, url);
  const text = await r.text().catch(() => "");
  if (!r.ok) {
    let message = text.slice(0, 200);
    try {
      message = String((JSON.parse(text) as { message?: unknown }).message ?? message);
    } catch {
      // not JSON: the text itself
    }
    throw fail(route, `${r.status}: ${message.split("\n")[0]}`);
  }
  try {
    return { data: JSON.parse(text) as unknown, next: nextLink(r.headers.get("link")) };
  } catch {
    throw fail(route, `${r.status}: the answer is not JSON`);
  }
}

export function githubReader(apiUrl: string, repository: string, token: string, timeoutMs: number): GithubReader {
  const base = new URL(apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`);
  const [owner, repo] = repository.split("/");
  const headers = {
    accept: "application/vnd.github+json",
    authorization: `token ${token}`,
    "user-agent": "slipway",
    "x-github-api-version": "2022-11-28",
  };
  const o: Origin = { base, headers, timeoutMs };
  const urlOf = (route: string, params: Record<string, string>): URL => {
    const all: Record<string, string> = { owner, repo, ...params };
    const path = route
      .replace(/^GET\s+/, "")
      .replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(all[k] ?? ""))
      .replace(/^\//, "");
    return new URL(path, base);
  };
  return {
    async get<T>(route: string, params: Record<string, string>): Promise<T> {
      return (await read(o, route, urlOf(route, params))).data as T;
    },
    async list<T>(route: string, params: Record<string, string>, what: string): Promise<T[]> {
      const first = urlOf(route, params);
      first.searchParams.set("per_page", "100");
      const out: T[] = [];
      let url: URL | undefined = first;
      for (let page = 1; url !== undefined; page++) {
        if (page > MAX_PAGES)
          throw fail(route, `more than ${MAX_PAGES} pages of ${what}; the approval is not read half way`);
        const r = await read(o, route, url);
        if (!Array.isArray(r.data))
          throw new InputError(`approval refused (rule verified-approval): the ${what} answer is not a list`, {
            rule: "verified-approval",
          });
        out.push(...(r.data as T[]));
        url = r.next === undefined ? undefined : new URL(r.next, url);
      }
      return out;
    },
  };
}
