// Where each Kubernetes workload kind keeps its pod spec, and a policy builder that walks pods and containers.
import { DaemonSet, Deployment, ReplicaSet, StatefulSet } from "@pulumi/kubernetes/apps/v1";
import { CronJob, Job } from "@pulumi/kubernetes/batch/v1";
import { Pod } from "@pulumi/kubernetes/core/v1";
import { PolicyConfigSchema } from "@pulumi/policy";
import { CheckedResourcePolicy, ResourceClass, resourcePolicy, ResourceSubject, typeOf } from "./define";
import { Report } from "./report";
import { get, list, PathStep } from "./values";

interface WorkloadKind {
    cls: ResourceClass;
    kind: string;
    /** Path from the resource's properties to its PodSpec. */
    podSpec: PathStep[];
    /** Long-running kinds serve traffic and are probed; Jobs run to completion. */
    longRunning: boolean;
}

const TEMPLATE = ["spec", "template", "spec"];

export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
    { cls: Deployment, kind: "Deployment", podSpec: TEMPLATE, longRunning: true },
    { cls: StatefulSet, kind: "StatefulSet", podSpec: TEMPLATE, longRunning: true },
    { cls: DaemonSet, kind: "DaemonSet", podSpec: TEMPLATE, longRunning: true },
    { cls: ReplicaSet, kind: "ReplicaSet", podSpec: TEMPLATE, longRunning: true },
    { cls: Pod, kind: "Pod", podSpec: ["spec"], longRunning: true },
    { cls: Job, kind: "Job", podSpec: TEMPLATE, longRunning: false },
    { cls: CronJob, kind: "CronJob", podSpec: ["spec", "jobTemplate", "spec", "template", "spec"], longRunning: false },
];

const KIND_BY_TYPE = new Map(WORKLOAD_KINDS.map((k) => [typeOf(k.cls), k]));

/** `Deployment "api-gateway-stable"`: the kind and the object's metadata.name, else the Pulumi resource name. */
export function workloadLabel(subject: ResourceSubject, kind: string): string {
    const name = get(subject.props, "metadata", "name");
    return `${kind} "${typeof name === "string" && name !== "" ? name : subject.name}"`;
}

export interface PodContext {
    /** e.g. `Deployment "api-gateway-stable"`. */
    label: string;
    kind: WorkloadKind;
    spec: unknown;
    /** Property path prefix for messages, e.g. "spec.template.spec". */
    path: string;
}

export interface ContainerContext {
    /** e.g. `Deployment "api-gateway-stable" container "api-gateway"`. */
    label: string;
    container: unknown;
    init: boolean;
}

export interface WorkloadPolicySpec<C extends object> {
    name: string;
    description: string;
    defaults?: C;
    configSchema?: PolicyConfigSchema;
    /** Only long-running kinds (probes make no sense for Jobs). */
    longRunningOnly?: boolean;
    /** Whether init containers are checked too; default true. */
    initContainers?: boolean;
    checkPod?: (pod: PodContext, config: C, report: Report) => void;
    checkContainer?: (c: ContainerContext, pod: PodContext, config: C, report: Report) => void;
}

export function workloadPolicy<C extends object = object>(spec: WorkloadPolicySpec<C>): CheckedResourcePolicy<C> {
    const kinds = WORKLOAD_KINDS.filter((k) => k.longRunning || !spec.longRunningOnly);
    return resourcePolicy<C>({
        name: spec.name,
        description: spec.description,
        defaults: spec.defaults,
        configSchema: spec.configSchema,
        resources: kinds.map((k) => k.cls),
        check: (subject, config, report) => {
            const kind = KIND_BY_TYPE.get(subject.type);
            if (kind === undefined) {
                return;
            }
            const label = workloadLabel(subject, kind.kind);
            const path = kind.podSpec.join(".");
            const podSpec = get(subject.props, ...kind.podSpec);
            if (!report.known(podSpec, `${label} ${path}`)) {
                return;
            }
            const pod: PodContext = { label, kind, spec: podSpec, path };
            spec.checkPod?.(pod, config, report);
            if (spec.checkContainer !== undefined) {
                for (const c of containersOf(pod, spec.initContainers ?? true, report)) {
                    spec.checkContainer(c, pod, config, report);
                }
            }
        },
    });
}

/** The containers (then init containers) of a pod; an unknown list is recorded as unverifiable. */
export function containersOf(pod: PodContext, includeInit: boolean, report: Report): ContainerContext[] {
    const result: ContainerContext[] = [];
    const fields: Array<[string, boolean]> = includeInit ? [["containers", false], ["initContainers", true]] : [["containers", false]];
    for (const [field, init] of fields) {
        const items = list(pod.spec, field);
        if (!report.known(items, `${pod.label} ${pod.path}.${field}`)) {
            continue;
        }
        items.forEach((container, i) => {
            if (!report.known(container, `${pod.label} ${pod.path}.${field}[${i}]`)) {
                return;
            }
            const name = get(container, "name");
            const id = typeof name === "string" ? `"${name}"` : `#${i}`;
            result.push({ label: `${pod.label} ${init ? "init container" : "container"} ${id}`, container, init });
        });
    }
    return result;
}

/** A container's security setting, falling back to the pod's securityContext where Kubernetes does. */
export function effectiveSecurity(c: ContainerContext, pod: PodContext, field: string): unknown {
    const own = get(c.container, "securityContext", field);
    return own === undefined ? get(pod.spec, "securityContext", field) : own;
}
