// One GET for the http and prometheus gates, sent the way endpoint.ts routes its URL: directly, SigV4-signed, or
// through the stack's API server. The transports are injectable so tests serve each from a local server.
//
// Redirects are followed here and only here: within the URL's own origin (scheme, host and port), at most
// MAX_REDIRECTS hops, each SigV4 request signed afresh for its own URL. A redirect to another origin fails the gate:
// its answer is not the endpoint's, and the request's credentials (Authorization, the SigV4 signature and session
// token) never leave the origin they were made for.
import type { GateContext } from "../types";
import { ApiServer, apiServer } from "./cluster";
import { describeError, Fetch, HttpAnswer, readBounded } from "./common";
import { classifyUrl, describeRoute, proxyPath, Route, Via } from "./endpoint";
import { awsCredentialChain, AwsCredentials, signedGetHeaders } from "./sigv4";
import { displayUrl } from "../../contract/urls";

/** Same-origin redirects followed before the gate gives up. */
export const MAX_REDIRECTS = 5;

export interface Transport {
  /** Direct HTTP; default the global fetch. */
  fetch: Fetch;
  /** The API server of a kubeconfig; default @kubernetes/client-node with the context's kubeconfig. */
  apiServer: (kubeconfigPath?: string) => ApiServer;
  /** Credentials for SigV4; default the AWS SDK's standard chain. */
  awsCredentials: () => AwsCredentials;
}

export function defaultTransport(over: Partial<Transport> = {}): Transport {
  return { fetch, apiServer, awsCredentials: awsCredentialChain, ...over };
}

export interface Reached extends HttpAnswer {
  /** The URL and how it was reached, for the verdict's detail. */
  target: string;
}

/** GETs `url`, routed by its host (or `via`); throws on a URL that cannot be routed or a failed request. */
export async function getRouted(
  t: Transport,
  url: string,
  via: Via | undefined,
  ctx: GateContext,
  signal: AbortSignal,
  accept?: string,
): Promise<Reached> {
  const route: Route = classifyUrl(url, via, ctx.namespace);
  const target = describeRoute(route);
  try {
    return { ...(await send(t, route, ctx, signal, accept)), target };
  } catch (err) {
    throw new Error(`${target}: ${describeError(err)}`);
  }
}

async function send(
  t: Transport,
  route: Route,
  ctx: GateContext,
  signal: AbortSignal,
  accept?: string,
): Promise<HttpAnswer> {
  if (route.via === "kubernetes-proxy") return t.apiServer(ctx.kubeconfigPath).get(proxyPath(route), signal, accept);
  let url = route.url;
  for (let hop = 0; ; hop += 1) {
    const headers: Record<string, string> = accept ? { accept } : {};
    if (route.awsRegion !== undefined) {
      Object.assign(
        headers,
        await signedGetHeaders({ url, region: route.awsRegion, headers, credentials: t.awsCredentials() }),
      );
    }
    const res = await t.fetch(url, { method: "GET", signal, headers, redirect: "manual" });
    const location = res.status >= 300 && res.status < 400 ? res.headers.get("location") : null;
    if (location === null) return readBounded(res.status, res.body);
    await res.body?.cancel();
    url = nextHop(url, location, hop);
  }
}

/** Where a redirect leads, when the gate may follow it; throws for another origin or too many hops. */
export function nextHop(from: string, location: string, hop: number): string {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new Error(`redirected to "${displayUrl(location)}", which is not a URL`);
  }
  const origin = new URL(from).origin;
  if (next.origin !== origin)
    throw new Error(
      `redirected to another origin, ${next.origin} (from ${origin}); not followed: a gate trusts only its own ` +
        "endpoint and never sends its credentials elsewhere. Point the gate at the final URL",
    );
  if (hop + 1 > MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects; point the gate at the final URL`);
  return next.href;
}
