import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { callersOf, needsAwsAccess } from "./access";
import { PART_OF } from "./naming";
import { CONNECTION_SECRET, JOB_SERVICE_ACCOUNT } from "../contract/release";
import { defaultDenySpec, dnsEgressSpec, jobsSpec, NetworkRules, serviceSpec } from "./networkPolicy";
import { SeccompProfile, ZoneSpread } from "./podSpec";
import { RouterCrds } from "./routerCrds";
import { Router } from "./routing";
import { Service, ServiceSizing } from "./service";
import { defaultDefinition, ServiceDefinition } from "./serviceDefinition";

export interface PlatformRelease {
  /** Stable version per service. */
  serviceVersions: Record<string, string>;
  /** Canary version; undefined = no canary anywhere. */
  canaryVersion?: string;
  /** Percent of traffic to the canary of every released service. */
  canaryWeight: number;
  /** Services released together (their canaries move in lockstep). */
  canaryServices: string[];
  /** A canary version rolled back: canaryServices keep its Deployments at zero replicas, weight 0. */
  rolledBackVersion?: string;
  /** Blue-green: the canary track runs at the stable size from weight 0, so the switch moves traffic alone. */
  canaryFullSize?: boolean;
}

export interface PlatformArgs {
  /** Environment of the stack (dev, staging, prod, local): the namespace's label and the containers' SLIPWAY_ENVIRONMENT. */
  environment: string;
  /** Namespace created for the services (one per environment). */
  namespace: string;
  /** Sizing per service; its keys are the services deployed. */
  services: Record<string, ServiceSizing>;
  /** The release: stable and canary versions, weight and the services released together. */
  release: PlatformRelease;
  /** Image repository without a tag; images are `<repository>/<service>:<version>`. */
  imageRepository: string;
  /** The traffic objects' kind: smi, gateway or alb. */
  router: Router;
  /** Gateway the HTTPRoutes attach to (router gateway only); default "slipway". */
  gatewayName?: string;
  /** Install the router's CRDs (bare clusters only); default false. */
  installRouterCrds?: boolean;
  /** Seconds the engine waits for each Deployment; default 600. */
  deploymentTimeoutSeconds?: number;
  /** Connection settings (addresses, ARNs, URLs) stored in the services' Secret. */
  connection: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Image digest per service and version (`sha256:<hex>`), e.g. from the release record; default none. */
  imageDigests?: Record<string, Record<string, string>>;
  /** IAM role per service (IRSA); services without one get no AWS credentials. Default none. */
  serviceRoleArns?: Record<string, pulumi.Input<string>>;
  /** Zone spread of every service's pods; default "preferred". */
  zoneSpread?: ZoneSpread;
  /** Seccomp profile of every service pod; default RuntimeDefault. */
  seccompProfile?: SeccompProfile;
  /** Network rules; default: scrape from namespace "monitoring", data ports to any address. */
  network?: Partial<NetworkRules>;
  /** Resources every service's traffic object waits for, e.g. the release's database snapshot; default none. */
  trafficDependsOn?: pulumi.Resource[];
  /** What each service reaches, whether it is an entry and canaried, its container; default the default catalogue's. */
  catalogue?: Record<string, ServiceDefinition>;
}

/** The definition of every deployed service: the catalogue's, else the default catalogue's. */
export function definitionsOf(args: PlatformArgs): Record<string, ServiceDefinition> {
  return Object.fromEntries(Object.keys(args.services).map((s) => [s, args.catalogue?.[s] ?? defaultDefinition(s)]));
}

export { CONNECTION_SECRET };

/** The release as one service sees it: a service the catalogue does not canary never runs a canary track. */
export function serviceRelease(release: PlatformRelease, def: ServiceDefinition): PlatformRelease {
  return def.canary === false ? { ...release, canaryServices: [] } : release;
}

/** Is `service` canaried by this release? Pure, shared with the release targets. */
export function isReleased(release: PlatformRelease, service: string): boolean {
  return release.canaryVersion !== undefined && release.canaryServices.includes(service);
}

/** The canary track of `service`: the released canary, or the rolled-back one at weight 0; undefined when none. */
export function canaryTrack(
  release: PlatformRelease,
  service: string,
): { version: string; weight: number; rolledBack: boolean; fullSize: boolean } | undefined {
  const fullSize = release.canaryFullSize ?? false;
  if (isReleased(release, service))
    return { version: release.canaryVersion!, weight: release.canaryWeight, rolledBack: false, fullSize };
  if (release.rolledBackVersion !== undefined && release.canaryServices.includes(service))
    return { version: release.rolledBackVersion, weight: 0, rolledBack: true, fullSize };
  return undefined;
}

export function validatePlatformArgs(args: PlatformArgs): string | undefined {
  const unknown = args.release.canaryServices.find((s) => !(s in args.services));
  if (unknown !== undefined)
    return `canaryServices names ${unknown}, which is not deployed; use one of ${Object.keys(args.services).join(", ")}`;
  const missing = Object.keys(args.services).find((s) => args.release.serviceVersions[s] === undefined);
  if (missing !== undefined)
    return `serviceVersions has no version for ${missing}; give every service a stable version`;
  return undefined;
}

function canaryTargetsOf(services: Record<string, Service>): Record<string, pulumi.Output<string>> {
  return Object.fromEntries(Object.entries(services).flatMap(([s, svc]) => (svc.canary ? [[s, svc.canary.urn]] : [])));
}

/** The application layer of a stack: namespace, connection Secret, router CRDs if asked, and the services. */
export class Platform extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  public readonly services: Record<string, Service>;
  /**
   * URNs a weight step changes: each released service's traffic object and canary Deployment. Nothing depends on
   * them and their parents already exist once the first step has run, so a step targets exactly these.
   */
  public readonly releaseTargets: pulumi.Output<string[]>;
  /** Per service, the URN of its traffic object (a rollback's first update sets weight 0 on these only). */
  public readonly trafficTargets: Record<string, pulumi.Output<string>>;
  /** Per service with a canary Deployment (released or rolled back), its URN (a rollback scales these to zero). */
  public readonly canaryTargets: Record<string, pulumi.Output<string>>;
  public readonly endpoints: Record<string, string>;

  constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("slipway:apps:Platform", name, {}, opts);
    const invalid = validatePlatformArgs(args);
    if (invalid !== undefined) throw new pulumi.ResourceError(invalid, this);
    const parent = { parent: this };

    const ns = new k8s.core.v1.Namespace(
      `${name}-ns`,
      {
        metadata: {
          name: args.namespace,
          labels: {
            "app.kubernetes.io/part-of": PART_OF,
            "slipway.dev/environment": args.environment,
            "pod-security.kubernetes.io/enforce": "restricted",
          },
        },
      },
      parent,
    );
    const defs = definitionsOf(args);
    this.networkPolicies(name, args, defs, ns.metadata.name);
    const secret = new k8s.core.v1.Secret(
      `${name}-connections`,
      {
        metadata: { name: CONNECTION_SECRET, namespace: ns.metadata.name },
        type: "Opaque",
        stringData: pulumi.secret(args.connection),
      },
      parent,
    );
    const crds = args.installRouterCrds ? new RouterCrds(`${name}-crds`, { router: args.router }, parent).crds : [];

    this.services = {};
    this.endpoints = {};
    const release = (s: string) => serviceRelease(args.release, defs[s]);
    for (const [service, sizing] of Object.entries(args.services)) {
      this.services[service] = new Service(
        service,
        {
          service,
          namespace: ns.metadata.name,
          environment: args.environment,
          sizing,
          imageRepository: args.imageRepository,
          stableVersion: args.release.serviceVersions[service],
          canary: canaryTrack(release(service), service),
          connectionSecret: secret.metadata.name,
          timeoutSeconds: args.deploymentTimeoutSeconds ?? 600,
          router: args.router,
          gatewayName: args.gatewayName,
          routeDependsOn: [...crds, ...(args.trafficDependsOn ?? [])],
          imageDigests: args.imageDigests?.[service],
          roleArn: args.serviceRoleArns?.[service],
          zoneSpread: args.zoneSpread,
          seccompProfile: args.seccompProfile,
          container: defs[service].container,
        },
        parent,
      );
      this.endpoints[service] = `http://${service}.${args.namespace}.svc.cluster.local`;
    }
    this.releaseTargets = pulumi.all(
      Object.entries(this.services).flatMap(([service, svc]) =>
        isReleased(release(service), service)
          ? [svc.route.route.urn, ...(svc.canary !== undefined ? [svc.canary.urn] : [])]
          : [],
      ),
    );
    this.trafficTargets = Object.fromEntries(Object.entries(this.services).map(([s, svc]) => [s, svc.route.route.urn]));
    this.canaryTargets = canaryTargetsOf(this.services);
    this.namespace = ns.metadata.name;
    this.registerOutputs({
      namespace: this.namespace,
      endpoints: this.endpoints,
      releaseTargets: this.releaseTargets,
      trafficTargets: this.trafficTargets,
      canaryTargets: this.canaryTargets,
    });
  }

  /** Default deny for the namespace, DNS for every pod, then one policy per service from the access map. */
  private networkPolicies(
    name: string,
    args: PlatformArgs,
    defs: Record<string, ServiceDefinition>,
    namespace: pulumi.Input<string>,
  ): void {
    const rules: NetworkRules = {
      metricsNamespace: args.network?.metricsNamespace ?? "monitoring",
      dataTierCidrs: args.network?.dataTierCidrs ?? [],
      entries: Object.keys(defs).filter((s) => defs[s].entry === true),
      ports: Object.fromEntries(
        Object.entries(defs).flatMap(([s, d]) => (d.container?.port ? [[s, d.container.port]] : [])),
      ),
    };
    const policy = (resourceName: string, policyName: string, spec: ReturnType<typeof defaultDenySpec>) =>
      new k8s.networking.v1.NetworkPolicy(
        resourceName,
        { metadata: { name: policyName, namespace, labels: { "app.kubernetes.io/part-of": PART_OF } }, spec },
        { parent: this },
      );
    policy(`${name}-default-deny`, "default-deny", defaultDenySpec());
    policy(`${name}-allow-dns`, "allow-dns", dnsEgressSpec());
    policy(`${name}-netpol-jobs`, "slipway-jobs", jobsSpec(rules));
    // The account the driver's Jobs run under unless they name a service's: no role, no API token.
    new k8s.core.v1.ServiceAccount(
      `${name}-jobs-sa`,
      {
        metadata: { name: JOB_SERVICE_ACCOUNT, namespace, labels: { "app.kubernetes.io/part-of": PART_OF } },
        automountServiceAccountToken: false,
      },
      { parent: this },
    );
    const access = Object.fromEntries(Object.entries(defs).map(([s, d]) => [s, d.access]));
    for (const service of Object.keys(args.services)) {
      const a = access[service];
      const deployed = { ...a, calls: a.calls.filter((c) => c in args.services) };
      const callers = callersOf(service, access).filter((c) => c in args.services);
      policy(
        `${name}-netpol-${service}`,
        service,
        serviceSpec(
          service,
          deployed,
          callers,
          rules,
          needsAwsAccess(a) && args.serviceRoleArns?.[service] !== undefined,
        ),
      );
    }
  }
}
