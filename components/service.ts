import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
  canaryReplicas,
  CONTAINER_PORT,
  podLabels,
  SERVICE_PORT,
  selectorLabels,
  TIMEOUT_ANNOTATION,
  Track,
  trackName,
} from "./naming";
import { ContainerShape, podTemplate, Resources, SeccompProfile, ZoneSpread } from "./podSpec";
import { Router } from "./routing";
import { TrafficRoute } from "./trafficRoute";
import { trackAutoscaler, trackBudget } from "./scaling";

export interface ServiceSizing extends Resources {
  /** HPA floor; also the stable Deployment's initial replicas. */
  minReplicas: number;
  /** HPA ceiling. */
  maxReplicas: number;
  /** Resource the HPA scales on: CPU at 70% or memory at 80% utilization. */
  scaleOn: "cpu" | "memory";
  /** Target utilization in percent; default 70 for CPU, 80 for memory. */
  scaleTarget?: number;
  /** Per-pod request-rate target in requests per second (custom metric http_requests_per_second); default none. */
  requestsPerSecond?: number;
}

export interface ServiceArgs {
  /** Service name S (one of the naming contract's five). */
  service: string;
  /** Namespace of every object of the service. */
  namespace: pulumi.Input<string>;
  /** Environment of the stack, handed to the containers as SLIPWAY_ENVIRONMENT. */
  environment: string;
  /** Replicas (HPA range), requests and limits, and what the HPA scales on. */
  sizing: ServiceSizing;
  /** Image repository without tag; images are `<repository>/<service>:<version>`. */
  imageRepository: string;
  /** Version (image tag) of the stable track. */
  stableVersion: string;
  /**
   * The canary track; absent when this service is not part of the current release. A rolled-back canary has weight 0
   * (zero replicas). `fullSize` (blue-green) runs it at the stable size whatever the weight.
   */
  canary?: { version: string; weight: number; rolledBack?: boolean; fullSize?: boolean };
  /** Secret with the connection settings, mounted as environment variables. */
  connectionSecret: pulumi.Input<string>;
  /** Seconds the engine waits for a Deployment to become ready (annotation pulumi.com/timeoutSeconds). */
  timeoutSeconds: number;
  /** The traffic object's kind: smi, gateway or alb. */
  router: Router;
  /** Gateway the HTTPRoute attaches to (router gateway only); default "slipway". */
  gatewayName?: string;
  /** Resources (e.g. router CRDs) the traffic object must wait for. */
  routeDependsOn?: pulumi.Resource[];
  /** Image digest per version (`sha256:<hex>`); a version without one runs by tag. */
  imageDigests?: Record<string, string>;
  /** IAM role the service's ServiceAccount assumes through IRSA; absent = no AWS credentials at all. */
  roleArn?: pulumi.Input<string>;
  /** Default "preferred". */
  zoneSpread?: ZoneSpread;
  /** Default RuntimeDefault. */
  seccompProfile?: SeccompProfile;
  /** The container's image repository, port and health paths; default `<imageRepository>/<service>`, 8000, /health. */
  container?: ContainerShape;
}

/** The annotation the EKS pod identity webhook reads to hand a pod web-identity credentials for a role. */
export const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";

export function validateServiceArgs(args: ServiceArgs): string | undefined {
  const s = args.sizing;
  if (s.minReplicas < 1) return `${args.service}: minReplicas ${s.minReplicas} is below 1; run at least one replica`;
  if (s.maxReplicas < s.minReplicas)
    return `${args.service}: maxReplicas ${s.maxReplicas} is below minReplicas ${s.minReplicas}; raise maxReplicas`;
  if (
    args.canary !== undefined &&
    (args.canary.weight < 0 || args.canary.weight > 100 || !Number.isInteger(args.canary.weight))
  ) {
    return `${args.service}: canary weight ${args.canary.weight} is outside 0..100; set an integer between 0 and 100`;
  }
  return undefined;
}

/** Replicas of the canary track: by the weight, at the stable size for blue-green, none once rolled back. */
export function trackReplicas(args: ServiceArgs): number {
  const c = args.canary;
  if (c === undefined || c.rolledBack) return 0;
  return c.fullSize ? args.sizing.minReplicas : canaryReplicas(args.sizing.minReplicas, c.weight);
}

/** Whether the canary track takes full traffic: at weight 100, or blue-green's full-size track; never once rolled back. */
export function takesFullTraffic(args: ServiceArgs): boolean {
  const c = args.canary;
  return c !== undefined && !c.rolledBack && (c.fullSize === true || c.weight === 100);
}

export function hpaMetrics(s: ServiceSizing) {
  const metrics: k8s.types.input.autoscaling.v2.MetricSpec[] = [
    {
      type: "Resource",
      resource: {
        name: s.scaleOn,
        target: { type: "Utilization", averageUtilization: s.scaleTarget ?? (s.scaleOn === "cpu" ? 70 : 80) },
      },
    },
  ];
  if (s.requestsPerSecond !== undefined) {
    metrics.push({
      type: "Pods",
      pods: {
        metric: { name: "http_requests_per_second" },
        target: { type: "AverageValue", averageValue: String(s.requestsPerSecond) },
      },
    });
  }
  return metrics;
}

/**
 * One application service: stable and (while released) canary Deployments from one pod template, the root and
 * per-track Services, an HPA on the stable track, a PDB and the traffic route between the tracks.
 */
export class Service extends pulumi.ComponentResource {
  public readonly serviceAccount: k8s.core.v1.ServiceAccount;
  public readonly stable: k8s.apps.v1.Deployment;
  public readonly canary?: k8s.apps.v1.Deployment;
  public readonly services: Record<"root" | Track, k8s.core.v1.Service>;
  public readonly route: TrafficRoute;
  public readonly stableVersion: string;
  public readonly canaryVersion: string;
  public readonly canaryWeight: number;
  /** The rolled-back canary version whose Deployment waits at zero replicas; "" when none. */
  public readonly rolledBackVersion: string;

  constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("slipway:apps:Service", name, {}, opts);
    const invalid = validateServiceArgs(args);
    if (invalid !== undefined) throw new pulumi.ResourceError(invalid, this);
    const s = args.service;
    const weight = args.canary?.weight ?? 0;

    // Replacements create before they delete (no deleteBeforeReplace): an object that must be replaced under the
    // same name is still replaced delete-first by the provider, which is why selectors never carry the version.
    this.serviceAccount = this.account(name, args);
    this.stable = this.deployment(name, args, "stable", args.stableVersion, args.sizing.minReplicas);
    if (args.canary !== undefined) {
      this.canary = this.deployment(name, args, "canary", args.canary.version, trackReplicas(args));
    }
    this.services = {
      root: this.k8sService(`${name}-svc`, s, args, selectorLabels(s)),
      stable: this.k8sService(`${name}-svc-stable`, trackName(s, "stable"), args, selectorLabels(s, "stable")),
      canary: this.k8sService(`${name}-svc-canary`, trackName(s, "canary"), args, selectorLabels(s, "canary")),
    };
    this.budgets(name, args);
    this.route = this.trafficRoute(name, args, weight);

    this.stableVersion = args.stableVersion;
    // A rolled-back canary serves nothing: it is not the service's canary version, only a Deployment at zero replicas.
    this.canaryVersion = args.canary?.rolledBack ? "" : (args.canary?.version ?? "");
    this.rolledBackVersion = args.canary?.rolledBack ? args.canary.version : "";
    this.canaryWeight = weight;
    this.registerOutputs({
      stableVersion: this.stableVersion,
      canaryVersion: this.canaryVersion,
      canaryWeight: weight,
      rolledBackVersion: this.rolledBackVersion,
    });
  }

  /** The service's own ServiceAccount, annotated with its IAM role when it has one; no token mounted. */
  private account(name: string, args: ServiceArgs): k8s.core.v1.ServiceAccount {
    const s = args.service;
    return new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      {
        metadata: {
          name: s,
          namespace: args.namespace,
          labels: selectorLabels(s),
          annotations: args.roleArn === undefined ? undefined : { [IRSA_ANNOTATION]: args.roleArn },
        },
        automountServiceAccountToken: false,
      },
      { parent: this },
    );
  }

  /**
   * The HPA and PDB of each track: the stable track's always; the canary track's PDB while its Deployment exists, and
   * its HPA while it takes full traffic (weight 100, or blue-green's full-size track).
   */
  private budgets(name: string, args: ServiceArgs): void {
    const scaling = {
      service: args.service,
      namespace: args.namespace,
      minReplicas: args.sizing.minReplicas,
      maxReplicas: args.sizing.maxReplicas,
      metrics: hpaMetrics(args.sizing),
    };
    trackAutoscaler(`${name}-hpa`, scaling, "stable", { parent: this, dependsOn: [this.stable] });
    trackBudget(`${name}-pdb`, scaling, "stable", { parent: this });
    if (this.canary === undefined) return;
    trackBudget(`${name}-pdb-canary`, scaling, "canary", { parent: this });
    if (takesFullTraffic(args)) {
      trackAutoscaler(`${name}-hpa-canary`, scaling, "canary", { parent: this, dependsOn: [this.canary] });
    }
  }

  /** The traffic object between the tracks, applied only once the tracks it sends traffic to are ready. */
  private trafficRoute(name: string, args: ServiceArgs, weight: number): TrafficRoute {
    const s = args.service;
    return new TrafficRoute(
      `${name}-route`,
      {
        service: s,
        namespace: args.namespace,
        canaryWeight: weight,
        router: args.router,
        gatewayName: args.gatewayName,
      },
      // Traffic moves only to pods that are ready: the route waits for both tracks' rollouts in the same update (a
      // first step waits for the new canary, a finalize for the stable track's new version). A rollback's update,
      // targeted at the route alone, waits for neither.
      {
        parent: this,
        dependsOn: [
          ...Object.values(this.services),
          this.stable,
          ...(this.canary ? [this.canary] : []),
          ...(args.routeDependsOn ?? []),
        ],
      },
    );
  }

  private deployment(name: string, args: ServiceArgs, track: Track, version: string, replicas: number) {
    const s = args.service;
    return new k8s.apps.v1.Deployment(
      `${name}-${track}`,
      {
        metadata: {
          name: trackName(s, track),
          namespace: args.namespace,
          labels: podLabels(s, track, version),
          annotations: { [TIMEOUT_ANNOTATION]: String(args.timeoutSeconds) },
        },
        spec: {
          replicas,
          selector: { matchLabels: selectorLabels(s, track) },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          revisionHistoryLimit: 5,
          progressDeadlineSeconds: args.timeoutSeconds,
          template: podTemplate({
            service: s,
            track,
            version,
            imageRepository: args.imageRepository,
            resources: args.sizing,
            connectionSecret: args.connectionSecret,
            environment: args.environment,
            serviceAccountName: s,
            imageDigest: args.imageDigests?.[version],
            zoneSpread: args.zoneSpread,
            seccompProfile: args.seccompProfile,
            ...args.container,
          }),
        },
      },
      {
        parent: this,
        dependsOn: [this.serviceAccount],
        // The HPA owns the stable replica count once the Deployment exists.
        ignoreChanges: track === "stable" ? ["spec.replicas"] : [],
      },
    );
  }

  private k8sService(resourceName: string, name: string, args: ServiceArgs, selector: Record<string, string>) {
    return new k8s.core.v1.Service(
      resourceName,
      {
        metadata: { name, namespace: args.namespace, labels: selectorLabels(args.service) },
        spec: {
          type: "ClusterIP",
          selector,
          ports: [
            { name: "http", port: SERVICE_PORT, targetPort: args.container?.port ?? CONTAINER_PORT, protocol: "TCP" },
          ],
        },
      },
      { parent: this },
    );
  }
}
