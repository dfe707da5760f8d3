// One pod-template builder for both tracks, so stable and canary differ only in labels, version and image.
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { CONTAINER_PORT, imageRef, podLabels, Track } from "./naming";

type PodTemplate = k8s.types.input.core.v1.PodTemplateSpec;

export interface Resources {
    cpuRequest: string;
    memoryRequest: string;
    cpuLimit: string;
    memoryLimit: string;
}

export interface PodTemplateArgs {
    service: string;
    track: Track;
    version: string;
    /** Image repository without a tag; the image is `<repository>/<service>:<version>`. */
    imageRepository: string;
    resources: Resources;
    /** Secret whose keys become the container's connection settings. */
    connectionSecret: pulumi.Input<string>;
    environment: string;
}

/** Non-zero UID/GID the images run as. */
export const RUN_AS_USER = 10001;

export function healthProbes() {
    const httpGet = { path: "/health", port: CONTAINER_PORT };
    return {
        livenessProbe: { httpGet, initialDelaySeconds: 15, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 },
        readinessProbe: { httpGet, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 2 },
    };
}

export function containerSecurityContext() {
    return {
        runAsNonRoot: true,
        runAsUser: RUN_AS_USER,
        runAsGroup: RUN_AS_USER,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

export function scrapeAnnotations(): Record<string, string> {
    return { "prometheus.io/scrape": "true", "prometheus.io/port": String(CONTAINER_PORT), "prometheus.io/path": "/metrics" };
}

export function podTemplate(args: PodTemplateArgs): PodTemplate {
    const r = args.resources;
    return {
        metadata: { labels: podLabels(args.service, args.track, args.version), annotations: scrapeAnnotations() },
        spec: {
            automountServiceAccountToken: false,
            securityContext: {
                runAsNonRoot: true,
                runAsUser: RUN_AS_USER,
                runAsGroup: RUN_AS_USER,
                fsGroup: RUN_AS_USER,
                seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [
                {
                    name: args.service,
                    image: imageRef(args.imageRepository, args.service, args.version),
                    imagePullPolicy: "IfNotPresent",
                    ports: [{ name: "http", containerPort: CONTAINER_PORT }],
                    env: [
                        { name: "SLIPWAY_ENVIRONMENT", value: args.environment },
                        { name: "SLIPWAY_TRACK", value: args.track },
                        { name: "SLIPWAY_VERSION", value: args.version },
                    ],
                    envFrom: [{ secretRef: { name: args.connectionSecret } }],
                    resources: {
                        requests: { cpu: r.cpuRequest, memory: r.memoryRequest },
                        limits: { cpu: r.cpuLimit, memory: r.memoryLimit },
                    },
                    ...healthProbes(),
                    securityContext: containerSecurityContext(),
                    // A read-only root filesystem still needs a writable scratch directory.
                    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                },
            ],
            volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
        },
    };
}
