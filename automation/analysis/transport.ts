// One GET for the http and prometheus gates, sent the way endpoint.ts routes its URL: directly, SigV4-signed, or
// through the stack's API server. The transports are injectable so tests serve each from a local server.
import type { GateContext } from "../types";
import { ApiServer, apiServer } from "./cluster";
import { describeError, Fetch, getText, HttpAnswer } from "./common";
import { classifyUrl, describeRoute, proxyPath, Route, Via } from "./endpoint";
import { awsCredentialChain, AwsCredentials, signedGetHeaders } from "./sigv4";

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
  const headers: Record<string, string> = accept ? { accept } : {};
  if (route.awsRegion !== undefined) {
    Object.assign(
      headers,
      await signedGetHeaders({ url: route.url, region: route.awsRegion, headers, credentials: t.awsCredentials() }),
    );
  }
  return getText(t.fetch, route.url, signal, headers);
}
