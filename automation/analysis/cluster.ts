// The stack's API server as the gates use it: loading the kubeconfig once per check, and a bounded GET of an API path
// (the service proxy) with the kubeconfig's credentials and TLS settings, through @kubernetes/client-node's own
// request pipeline, the same one the `kubernetes` gate's typed clients use.
import * as k8s from "@kubernetes/client-node";
import { HttpAnswer, readBounded } from "./common";

/** `kubeconfigPath` undefined = KUBECONFIG or ~/.kube/config, as kubectl does. */
export function loadKubeConfig(kubeconfigPath?: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  if (kubeconfigPath !== undefined) kc.loadFromFile(kubeconfigPath);
  else kc.loadFromDefault();
  return kc;
}

interface Dispatcher {
  dispatch(options: { origin?: string | URL }, handler: DispatchHandler): boolean;
}
interface DispatchHandler {
  onResponseError?: (controller: unknown, error: Error) => void;
  onError?: (error: Error) => void;
}

/**
 * The kubeconfig's dispatcher (its TLS settings and client certificate), refusing any origin but the API server's:
 * fetch follows redirects through the same dispatcher, so a Service's redirect to another host fails the gate
 * instead of being trusted, and the kubeconfig's credentials are offered to no other host.
 */
function sameOriginOnly<T extends object>(inner: T, origin: string): T {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (prop !== "dispatch") return typeof value === "function" ? value.bind(target) : value;
      return (options: { origin?: string | URL }, handler: DispatchHandler): boolean => {
        const to = options.origin === undefined ? origin : new URL(String(options.origin)).origin;
        if (to === origin) return (target as unknown as Dispatcher).dispatch(options, handler);
        const err = new Error(`redirected to another origin, ${to} (from ${origin}); not followed`);
        if (handler.onResponseError) handler.onResponseError(undefined, err);
        else handler.onError?.(err);
        return true;
      };
    },
  });
}

/** GETs of API server paths. */
export interface ApiServer {
  /** The API server's base URL, for messages. */
  readonly server: string;
  get(path: string, signal: AbortSignal, accept?: string): Promise<HttpAnswer>;
}

export function apiServer(kubeconfigPath?: string): ApiServer {
  const kc = loadKubeConfig(kubeconfigPath);
  const cluster = kc.getCurrentCluster();
  if (!cluster)
    throw new Error(`the kubeconfig ${kubeconfigPath ?? "(default)"} has no current cluster; set current-context`);
  const server = cluster.server.replace(/\/+$/, "");
  const http = new k8s.IsomorphicFetchHttpLibrary();
  return {
    server,
    async get(path, signal, accept) {
      const request = new k8s.RequestContext(`${server}${path}`, k8s.HttpMethod.GET);
      await kc.applySecurityAuthentication(request);
      const dispatcher = request.getDispatcher();
      if (dispatcher !== undefined) request.setDispatcher(sameOriginOnly(dispatcher, new URL(server).origin));
      request.setSignal(signal);
      if (accept) request.setHeaderParam("accept", accept);
      const response = await http.send(request).toPromise();
      return readBounded(response.httpStatusCode, response.body.stream());
    },
  };
}
