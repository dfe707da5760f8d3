// Pure builders of the three traffic objects that split a service between its stable and canary tracks.
import { HTTP_ROUTE, TRAFFIC_SPLIT, weight } from "../contract/release";
import { SERVICE_PORT, trackName } from "./naming";

export { HTTP_ROUTE, TRAFFIC_SPLIT };

export type Router = "smi" | "gateway" | "alb";

export interface Weights {
  /** Percent of traffic to the stable track. */
  stable: number;
  /** Percent of traffic to the canary track; the two sum to 100. */
  canary: number;
}

export function splitWeights(canaryWeight: number): Weights {
  return { stable: 100 - weight(canaryWeight), canary: canaryWeight };
}

/** SMI TrafficSplit spec: the root Service is the apex, the track Services are the backends. */
export function trafficSplitSpec(service: string, w: Weights) {
  return {
    service,
    backends: [
      { service: trackName(service, "stable"), weight: w.stable },
      { service: trackName(service, "canary"), weight: w.canary },
    ],
  };
}

export function httpRouteSpec(service: string, gateway: string, w: Weights) {
  return {
    parentRefs: [{ name: gateway }],
    rules: [
      {
        matches: [{ path: { type: "PathPrefix", value: `/${service}` } }],
        backendRefs: [
          { name: trackName(service, "stable"), port: SERVICE_PORT, weight: w.stable },
          { name: trackName(service, "canary"), port: SERVICE_PORT, weight: w.canary },
        ],
      },
    ],
  };
}

/** AWS Load Balancer Controller weighted forward action, keyed `alb.ingress.kubernetes.io/actions.<service>`. */
export function albAnnotations(service: string, w: Weights): Record<string, string> {
  const forward = {
    type: "forward",
    forwardConfig: {
      targetGroups: [
        { serviceName: trackName(service, "stable"), servicePort: String(SERVICE_PORT), weight: w.stable },
        { serviceName: trackName(service, "canary"), servicePort: String(SERVICE_PORT), weight: w.canary },
      ],
    },
  };
  return {
    "alb.ingress.kubernetes.io/scheme": "internal",
    "alb.ingress.kubernetes.io/target-type": "ip",
    "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS":443}]',
    "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "alb.ingress.kubernetes.io/group.name": "slipway",
    [`alb.ingress.kubernetes.io/actions.${service}`]: JSON.stringify(forward),
  };
}

export function albIngressSpec(service: string) {
  return {
    ingressClassName: "alb",
    rules: [
      {
        http: {
          paths: [
            {
              path: `/${service}`,
              pathType: "Prefix",
              // The backend names the annotation action, as the controller requires.
              backend: { service: { name: service, port: { name: "use-annotation" } } },
            },
          ],
        },
      },
    ],
  };
}
