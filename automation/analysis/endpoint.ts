// How a gate reaches the URL it was given. The driver runs on a CI runner outside the cluster, where cluster DNS
// names (NAME.NAMESPACE.svc[.cluster.local]) do not resolve: those URLs go through the Kubernetes API server's service
// proxy with the stack's kubeconfig. Amazon Managed Prometheus workspaces are called directly, signed with SigV4.
// Everything else is called directly. Pure: the transports live in cluster.ts and sigv4.ts.
import { displayUrl } from "../../contract/urls";

/** How a gate's URL is reached; `via` in a gate's config overrides the choice made from the host. */
export type Via = "direct" | "kubernetes-proxy";
export const VIAS: readonly Via[] = ["direct", "kubernetes-proxy"];

export interface DirectRoute {
  via: "direct";
  url: string;
  /** Set for an Amazon Managed Service for Prometheus workspace: the request is signed for this region. */
  awsRegion?: string;
}

export interface ProxyRoute {
  via: "kubernetes-proxy";
  url: string;
  namespace: string;
  service: string;
  /** Service port number; the API server maps it to the port's name. */
  port: number;
  scheme: "http" | "https";
  /** Path and query string on the service, starting with "/". */
  path: string;
}

export type Route = DirectRoute | ProxyRoute;

const LABEL = "[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?";
/** A Service's cluster DNS name: NAME.NAMESPACE.svc or NAME.NAMESPACE.svc.cluster.local. */
const SERVICE_HOST = new RegExp(`^(${LABEL})\\.(${LABEL})\\.svc(?:\\.cluster\\.local)?$`);
/** Short forms that only cluster DNS search paths resolve: NAME or NAME.NAMESPACE (accepted with via: kubernetes-proxy). */
const SHORT_HOST = new RegExp(`^(${LABEL})(?:\\.(${LABEL}))?$`);
const APS_HOST = /^aps-workspaces\.([a-z0-9-]+)\.amazonaws\.com$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function parse(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new Error(`"${displayUrl(url)}" is not a URL; write scheme://host[:port]/path`);
  }
}

function hostOf(u: URL): string {
  return u.hostname.toLowerCase().replace(/\.$/, "");
}

function isIp(host: string): boolean {
  return IPV4.test(host) || host.startsWith("[");
}

/** The service a host names: from its cluster DNS name, or (forced proxy only) a short name in `defaultNamespace`. */
function serviceOf(
  host: string,
  forced: boolean,
  defaultNamespace: string,
): { service: string; namespace: string } | undefined {
  const full = SERVICE_HOST.exec(host);
  if (full) return { service: full[1], namespace: full[2] };
  if (!forced || isIp(host) || host === "localhost") return undefined;
  const short = SHORT_HOST.exec(host);
  if (short) return { service: short[1], namespace: short[2] ?? defaultNamespace };
  return undefined;
}

/**
 * Decides how `url` is reached. `via` undefined chooses from the host; `defaultNamespace` fills a forced proxy
 * route whose host is a bare service name. Throws when the URL cannot be reached the way `via` asks.
 */
export function classifyUrl(url: string, via?: Via, defaultNamespace = "default"): Route {
  const u = parse(url);
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error(`"${url}" is not an http(s) URL`);
  const host = hostOf(u);
  if (via !== "direct") {
    const named = serviceOf(host, via === "kubernetes-proxy", defaultNamespace);
    if (named) {
      const scheme = u.protocol === "https:" ? "https" : "http";
      const port = u.port !== "" ? Number(u.port) : scheme === "https" ? 443 : 80;
      return { via: "kubernetes-proxy", url, ...named, port, scheme, path: `${u.pathname}${u.search}` };
    }
    if (via === "kubernetes-proxy") {
      throw new Error(
        `"${url}" names no Service (NAME.NAMESPACE.svc[.cluster.local]), so the API server cannot proxy it; fix the host or set via: direct`,
      );
    }
  }
  const aps = APS_HOST.exec(host);
  return aps ? { via: "direct", url, awsRegion: aps[1] } : { via: "direct", url };
}

/** The API server path that proxies a route: /api/v1/namespaces/NS/services/[https:]NAME:PORT/proxy/PATH. */
export function proxyPath(route: ProxyRoute): string {
  const target = `${route.scheme === "https" ? "https:" : ""}${route.service}:${route.port}`;
  return `/api/v1/namespaces/${route.namespace}/services/${target}/proxy${route.path}`;
}

/** Words for a verdict's detail line: where the request really went; credentials in the URL shown as "***". */
export function describeRoute(route: Route): string {
  const url = displayUrl(route.url);
  if (route.via === "kubernetes-proxy")
    return `${url} (through the API server: services/${route.service}:${route.port}/proxy)`;
  return route.awsRegion ? `${url} (SigV4, ${route.awsRegion})` : url;
}

/**
 * Why a URL could not be reached from a runner outside the cluster, or undefined when it can: a host only cluster
 * DNS resolves (a bare name, NAME.NAMESPACE, any *.cluster.local or *.svc that is not a Service name) called directly
 * would fail on every runner.
 */
export function unreachableFromRunner(url: string, via?: Via): string | undefined {
  let route: Route;
  try {
    route = classifyUrl(url, via);
  } catch (err) {
    return (err as Error).message;
  }
  if (route.via === "kubernetes-proxy" || via === "direct") return undefined;
  const host = hostOf(parse(url));
  if (isIp(host) || host === "localhost") return undefined;
  if (/\.(svc|cluster\.local)$/.test(host) || !host.includes(".")) {
    return `"${url}": ${host} resolves only inside the cluster; write NAME.NAMESPACE.svc.cluster.local, or set via: kubernetes-proxy`;
  }
  return undefined;
}
