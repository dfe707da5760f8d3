import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CANARY_WEIGHT_ANNOTATION, selectorLabels } from "./naming";
import {
  albAnnotations,
  albIngressSpec,
  HTTP_ROUTE,
  httpRouteSpec,
  Router,
  splitWeights,
  TRAFFIC_SPLIT,
  trafficSplitSpec,
} from "./routing";

export interface TrafficRouteArgs {
  /** Service name S; the traffic object is named S and splits between S-stable and S-canary. */
  service: string;
  /** Namespace of the traffic object and the Services it names. */
  namespace: pulumi.Input<string>;
  /** Percent of traffic to the canary track, 0..100. */
  canaryWeight: number;
  /** smi: SMI TrafficSplit; gateway: Gateway API HTTPRoute; alb: AWS Load Balancer Controller Ingress. */
  router: Router;
  /** Gateway the HTTPRoute attaches to (router gateway only); default "slipway". */
  gatewayName?: string;
}

/** The stable/canary weight split of one service, annotated with the applied weight for any reader. */
export class TrafficRoute extends pulumi.ComponentResource {
  public readonly route: pulumi.CustomResource;
  public readonly canaryWeight: number;

  constructor(name: string, args: TrafficRouteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("slipway:apps:TrafficRoute", name, {}, opts);
    let weights;
    try {
      weights = splitWeights(args.canaryWeight);
    } catch (e) {
      throw new pulumi.ResourceError(`${(e as Error).message}; set an integer weight between 0 and 100`, this);
    }
    const s = args.service;
    const metadata = {
      name: s,
      namespace: args.namespace,
      labels: selectorLabels(s),
      annotations: { [CANARY_WEIGHT_ANNOTATION]: String(args.canaryWeight) },
    };
    const child = { parent: this };
    switch (args.router) {
      case "smi":
        this.route = new k8s.apiextensions.CustomResource(
          `${name}-split`,
          {
            ...TRAFFIC_SPLIT,
            metadata,
            spec: trafficSplitSpec(s, weights),
          },
          child,
        );
        break;
      case "gateway":
        this.route = new k8s.apiextensions.CustomResource(
          `${name}-http`,
          {
            ...HTTP_ROUTE,
            metadata,
            spec: httpRouteSpec(s, args.gatewayName ?? "slipway", weights),
          },
          child,
        );
        break;
      case "alb":
        this.route = new k8s.networking.v1.Ingress(
          `${name}-ingress`,
          {
            metadata: { ...metadata, annotations: { ...metadata.annotations, ...albAnnotations(s, weights) } },
            spec: albIngressSpec(s),
          },
          child,
        );
        break;
      default:
        throw new pulumi.ResourceError(`router ${String(args.router)} is unknown; use smi, gateway or alb`, this);
    }
    this.canaryWeight = args.canaryWeight;
    this.registerOutputs({ route: this.route.urn, canaryWeight: this.canaryWeight });
  }
}
