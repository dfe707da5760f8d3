// The autoscaler and the disruption budget of one track of a service. The stable track always has both (named S);
// a canary track has its own budget (S-canary) while its Deployment exists, and its own autoscaler (S-canary) while
// it takes full traffic. Each budget selects its own track's pods only, so no pod is ever matched by two budgets.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { selectorLabels, Track, trackName } from "./naming";

/** What the HPA of a track scales. */
export interface ScalingArgs {
  /** Service name S. */
  service: string;
  /** Namespace of the service. */
  namespace: pulumi.Input<string>;
  /** HPA floor, replicas: the track never runs fewer while it is scaled. */
  minReplicas: number;
  /** HPA ceiling, replicas. */
  maxReplicas: number;
  /** The HPA's metrics (./service.ts hpaMetrics). */
  metrics: k8s.types.input.autoscaling.v2.MetricSpec[];
}

/** The name of a track's HPA and PDB: S for the stable track, S-canary for the canary track. */
export function scalingName(service: string, track: Track): string {
  return track === "stable" ? service : trackName(service, track);
}

/** The HPA of `track`, scaling its Deployment (S-<track>) within the service's range. */
export function trackAutoscaler(
  resourceName: string,
  args: ScalingArgs,
  track: Track,
  opts: pulumi.CustomResourceOptions,
): k8s.autoscaling.v2.HorizontalPodAutoscaler {
  const s = args.service;
  return new k8s.autoscaling.v2.HorizontalPodAutoscaler(
    resourceName,
    {
      metadata: { name: scalingName(s, track), namespace: args.namespace, labels: selectorLabels(s) },
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: trackName(s, track) },
        minReplicas: args.minReplicas,
        maxReplicas: args.maxReplicas,
        metrics: args.metrics,
      },
    },
    opts,
  );
}

/** The PDB of `track`: one pod of the track at a time, selecting that track's pods only. */
export function trackBudget(
  resourceName: string,
  args: Pick<ScalingArgs, "service" | "namespace">,
  track: Track,
  opts: pulumi.CustomResourceOptions,
): k8s.policy.v1.PodDisruptionBudget {
  const s = args.service;
  return new k8s.policy.v1.PodDisruptionBudget(
    resourceName,
    {
      metadata: { name: scalingName(s, track), namespace: args.namespace, labels: selectorLabels(s) },
      // An unhealthy pod is evicted even when the budget is spent, so it never blocks a node drain or an upgrade.
      spec: {
        maxUnavailable: 1,
        unhealthyPodEvictionPolicy: "AlwaysAllow",
        selector: { matchLabels: selectorLabels(s, track) },
      },
    },
    opts,
  );
}
