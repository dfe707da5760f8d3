// One pod-template builder for both tracks, so stable and canary differ only in labels, version and image.
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { containerSecurityContext, RUN_AS_USER, RUNTIME_DEFAULT, SeccompProfile } from "../contract/podSecurity";
import { CONTAINER_PORT, imageRef, podLabels, selectorLabels, Track } from "./naming";

export { containerSecurityContext, RUN_AS_USER, RUNTIME_DEFAULT };
export type { SeccompProfile };

type PodTemplate = k8s.types.input.core.v1.PodTemplateSpec;

export interface Resources {
  /** CPU the scheduler reserves, a Kubernetes quantity, e.g. "500m" (millicores). */
  cpuRequest: string;
  /** Memory the scheduler reserves, e.g. "1Gi". */
  memoryRequest: string;
  /** CPU above which the container is throttled, e.g. "2000m". */
  cpuLimit: string;
  /** Memory above which the container is killed, e.g. "4Gi". */
  memoryLimit: string;
  /** Scratch space (logs, /tmp) the pod reserves; default "128Mi". */
  ephemeralStorageRequest?: string;
  /** Scratch space above which the kubelet evicts the pod instead of filling the node's disk; default "1Gi". */
  ephemeralStorageLimit?: string;
}

/** How hard the pods of one track are spread over zones: required (prod) refuses to stack replicas in one zone. */
export type ZoneSpread = "required" | "preferred";

export interface PodTemplateArgs {
  /** Service name S: the container's name and the app label. */
  service: string;
  /** stable or canary: the track label. */
  track: Track;
  /** Image tag, and the version label. */
  version: string;
  /** Image repository without a tag; the image is `<repository>/<service>:<version>`. */
  imageRepository: string;
  /** Requests and limits of the container. */
  resources: Resources;
  /** Secret whose keys become the container's connection settings. */
  connectionSecret: pulumi.Input<string>;
  /** Environment of the stack, handed to the container as SLIPWAY_ENVIRONMENT. */
  environment: string;
  /** The service's own ServiceAccount (never "default"). */
  serviceAccountName: string;
  /** Digest of the image (`sha256:<hex>`), pinning it beyond its tag; absent keeps the tag alone. */
  imageDigest?: string;
  /** Default "preferred". */
  zoneSpread?: ZoneSpread;
  /** Default RuntimeDefault, at pod and container level. */
  seccompProfile?: SeccompProfile;
  /** The service's own image repository without a tag; default `<imageRepository>/<service>`. */
  image?: string;
  /** Container port of the service, its probes and its metrics; default 8000. */
  port?: number;
  /** Liveness and readiness paths; default /health and /health/external. */
  healthPath?: string;
  readinessPath?: string;
}

/** What a catalogue may say about a service's container: its image repository, port and health paths. */
export type ContainerShape = Pick<PodTemplateArgs, "image" | "port" | "healthPath" | "readinessPath">;

/** Liveness asks only whether the process answers; readiness also whether its dependencies do (the seeds' endpoints). */
export const LIVENESS_PATH = "/health";
export const READINESS_PATH = "/health/external";

export function healthProbes(port = CONTAINER_PORT, liveness = LIVENESS_PATH, readiness = READINESS_PATH) {
  return {
    // A dependency outage takes pods out of the Service, it does not restart them all.
    livenessProbe: {
      httpGet: { path: liveness, port },
      initialDelaySeconds: 15,
      periodSeconds: 20,
      timeoutSeconds: 5,
      failureThreshold: 3,
    },
    readinessProbe: {
      httpGet: { path: readiness, port },
      initialDelaySeconds: 5,
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold: 2,
    },
  };
}

/** The image of a service: its own repository when the catalogue names one, else `<repository>/<service>`. */
export function serviceImage(
  args: Pick<PodTemplateArgs, "image" | "imageRepository" | "service" | "version" | "imageDigest">,
): string {
  if (args.image === undefined) return pinnedImage(args.imageRepository, args.service, args.version, args.imageDigest);
  const ref = `${args.image}:${args.version}`;
  return args.imageDigest === undefined ? ref : `${ref}@${args.imageDigest}`;
}

/** The image reference, with `@<digest>` when a digest is known: the registry then serves exactly that build. */
export function pinnedImage(repository: string, service: string, version: string, digest?: string): string {
  const ref = imageRef(repository, service, version);
  return digest === undefined ? ref : `${ref}@${digest}`;
}

/** One replica per zone and per node before any doubles up; a zone outage then takes at most a third of a service. */
export function topologySpread(service: string, track: Track, zoneSpread: ZoneSpread) {
  const labelSelector = { matchLabels: selectorLabels(service, track) };
  return [
    {
      maxSkew: 1,
      topologyKey: "topology.kubernetes.io/zone",
      whenUnsatisfiable: zoneSpread === "required" ? "DoNotSchedule" : "ScheduleAnyway",
      labelSelector,
    },
    { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector },
  ];
}

export function scrapeAnnotations(port = CONTAINER_PORT): Record<string, string> {
  return {
    "prometheus.io/scrape": "true",
    "prometheus.io/port": String(port),
    "prometheus.io/path": "/metrics",
  };
}

export function podTemplate(args: PodTemplateArgs): PodTemplate {
  const r = args.resources;
  const port = args.port ?? CONTAINER_PORT;
  return {
    metadata: { labels: podLabels(args.service, args.track, args.version), annotations: scrapeAnnotations(port) },
    spec: {
      serviceAccountName: args.serviceAccountName,
      // The IRSA webhook projects its own token for the AWS SDK; nothing here talks to the Kubernetes API.
      automountServiceAccountToken: false,
      topologySpreadConstraints: topologySpread(args.service, args.track, args.zoneSpread ?? "preferred"),
      securityContext: {
        runAsNonRoot: true,
        runAsUser: RUN_AS_USER,
        runAsGroup: RUN_AS_USER,
        fsGroup: RUN_AS_USER,
        seccompProfile: args.seccompProfile ?? RUNTIME_DEFAULT,
      },
      containers: [
        {
          name: args.service,
          image: serviceImage(args),
          imagePullPolicy: "IfNotPresent",
          ports: [{ name: "http", containerPort: port }],
          env: [
            { name: "SLIPWAY_ENVIRONMENT", value: args.environment },
            { name: "SLIPWAY_TRACK", value: args.track },
            { name: "SLIPWAY_VERSION", value: args.version },
          ],
          envFrom: [{ secretRef: { name: args.connectionSecret } }],
          resources: {
            requests: {
              cpu: r.cpuRequest,
              memory: r.memoryRequest,
              "ephemeral-storage": r.ephemeralStorageRequest ?? "128Mi",
            },
            limits: { cpu: r.cpuLimit, memory: r.memoryLimit, "ephemeral-storage": r.ephemeralStorageLimit ?? "1Gi" },
          },
          ...healthProbes(port, args.healthPath, args.readinessPath),
          securityContext: containerSecurityContext(args.seccompProfile),
          // A read-only root filesystem still needs a writable scratch directory.
          volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
        },
      ],
      volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
    },
  };
}
