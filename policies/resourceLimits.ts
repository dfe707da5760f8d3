// Resource limits: every container sized, within the stack's ceilings, and autoscalers with a sane replica range.
import { HorizontalPodAutoscaler as HpaV1 } from "@pulumi/kubernetes/autoscaling/v1";
import { HorizontalPodAutoscaler as HpaV2 } from "@pulumi/kubernetes/autoscaling/v2";
import { resourcePolicy } from "./lib/define";
import { formatCpu, formatMemory, parseCpu, parseMemory } from "./lib/quantity";
import { Report } from "./lib/report";
import { get, show } from "./lib/values";
import { ContainerContext, workloadLabel, workloadPolicy } from "./lib/workload";

type Resource = "cpu" | "memory";

const EXAMPLE: Record<Resource, string> = { cpu: '"500m"', memory: '"512Mi"' };
const PARSE: Record<Resource, (v: unknown) => number | undefined> = { cpu: parseCpu, memory: parseMemory };

/** Reads resources.<kind>.<resource>: the parsed amount, or undefined after reporting why it cannot be used. */
function amount(
  c: ContainerContext,
  kind: "requests" | "limits",
  resource: Resource,
  report: Report,
  required: boolean,
): number | undefined {
  const field = `resources.${kind}.${resource}`;
  const raw = get(c.container, "resources", kind, resource);
  if (!report.known(raw, `${c.label} ${field}`)) {
    return undefined;
  }
  if (raw === undefined || raw === null || raw === "") {
    if (required) {
      report.missing(
        `${c.label} must set ${field}; add a ${resource === "cpu" ? "CPU" : "memory"} ${kind === "requests" ? "request" : "limit"} such as ${EXAMPLE[resource]} to the container's resources.`,
      );
    }
    return undefined;
  }
  const value = PARSE[resource](raw);
  if (value === undefined) {
    report.fail(
      `${c.label} must set ${field} to a Kubernetes quantity, not ${show(raw)}; use a value such as ${EXAMPLE[resource]}.`,
    );
  }
  return value;
}

export const containerResourcesRequired = workloadPolicy({
  name: "container-resources-required",
  description:
    "Checks whether every container and init container sets CPU and memory requests and limits, with each limit at or above its request.",
  // The API refuses resources on ephemeral containers: they share the pod's.
  ephemeralContainers: false,
  checkContainer: (c, _pod, _config, report) => {
    for (const resource of ["cpu", "memory"] as const) {
      const request = amount(c, "requests", resource, report, true);
      const limit = amount(c, "limits", resource, report, true);
      if (request !== undefined && limit !== undefined && limit < request) {
        report.fail(
          `${c.label} must set resources.limits.${resource} (${show(get(c.container, "resources", "limits", resource))}) at or above resources.requests.${resource} (${show(get(c.container, "resources", "requests", resource))}); raise the limit or lower the request.`,
        );
      }
    }
  },
});

export interface CeilingConfig {
  /** Largest CPU limit (or request) per container, as a quantity. */
  maxCpu: string;
  /** Largest memory limit (or request) per container, as a quantity. */
  maxMemory: string;
  /** Largest limit/request ratio per resource; bounds how far a container may burst over what it reserved. */
  maxLimitRequestRatio: number;
}

export const containerResourceCeilings = workloadPolicy<CeilingConfig>({
  name: "container-resource-ceilings",
  description:
    "Checks whether every container's CPU and memory stay within the stack's per-container ceilings and limit/request ratio.",
  ephemeralContainers: false,
  // The seeds' largest service (their cache) runs 1000m-4000m CPU and 4Gi-16Gi memory: a 4x ratio at most.
  defaults: { maxCpu: "4", maxMemory: "16Gi", maxLimitRequestRatio: 4 },
  configSchema: {
    properties: {
      maxCpu: { type: "string", default: "4" },
      maxMemory: { type: "string", default: "16Gi" },
      maxLimitRequestRatio: { type: "number", minimum: 1, default: 4 },
    },
  },
  checkContainer: (c, _pod, config, report) => {
    const ceiling: Record<Resource, number | undefined> = {
      cpu: parseCpu(config.maxCpu),
      memory: parseMemory(config.maxMemory),
    };
    const format: Record<Resource, (n: number) => string> = { cpu: formatCpu, memory: formatMemory };
    const key: Record<Resource, string> = { cpu: "maxCpu", memory: "maxMemory" };
    for (const resource of ["cpu", "memory"] as const) {
      const request = amount(c, "requests", resource, report, false);
      const limit = amount(c, "limits", resource, report, false);
      const max = ceiling[resource];
      const highest = limit ?? request;
      if (max !== undefined && highest !== undefined && highest > max) {
        const field = limit !== undefined ? "limits" : "requests";
        report.fail(
          `${c.label} must keep resources.${field}.${resource} (${format[resource](highest)}) at or below ${format[resource](max)}; lower it or raise ${key[resource]} in this stack's policy config.`,
        );
      }
      if (
        request !== undefined &&
        limit !== undefined &&
        request > 0 &&
        limit / request > config.maxLimitRequestRatio
      ) {
        report.fail(
          `${c.label} must keep its ${resource} limit/request ratio at or below ${config.maxLimitRequestRatio} (limit ${format[resource](limit)} / request ${format[resource](request)} = ${Number((limit / request).toFixed(2))}); raise the request or lower the limit.`,
        );
      }
    }
  },
});

export interface HpaConfig {
  /** Smallest minReplicas an autoscaler may have on this stack. */
  minReplicas: number;
}

export const hpaReplicaRange = resourcePolicy<HpaConfig>({
  name: "hpa-replica-range",
  description:
    "Checks whether every HorizontalPodAutoscaler has minReplicas at or below maxReplicas and at or above the stack's minimum.",
  resources: [HpaV2, HpaV1],
  defaults: { minReplicas: 1 },
  configSchema: { properties: { minReplicas: { type: "integer", minimum: 1, default: 1 } } },
  check: (subject, config, report) => {
    const label = workloadLabel(subject, "HorizontalPodAutoscaler");
    const rawMin = get(subject.props, "spec", "minReplicas");
    const max = get(subject.props, "spec", "maxReplicas");
    const knownMin = report.known(rawMin, `${label} spec.minReplicas`);
    const knownMax = report.known(max, `${label} spec.maxReplicas`);
    // Kubernetes defaults minReplicas to 1.
    const min = rawMin ?? 1;
    if (knownMin && typeof min === "number" && min < config.minReplicas) {
      report.fail(
        `${label} must set spec.minReplicas to at least ${config.minReplicas} on this stack (it is ${min}); raise minReplicas.`,
      );
    }
    if (knownMin && knownMax && typeof min === "number" && typeof max === "number" && min > max) {
      report.fail(
        `${label} must set spec.minReplicas (${min}) at or below spec.maxReplicas (${max}); lower minReplicas or raise maxReplicas.`,
      );
    }
  },
});
