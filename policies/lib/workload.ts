// Where each Kubernetes workload kind keeps its pod spec, and a policy builder that walks pods and containers.
//
// Every API version a provider can still be asked to create is listed, so a workload in a removed version
// (extensions/v1beta1, apps/v1beta1|v1beta2, batch/v1beta1|v2alpha1) is checked like its current version instead of
// passing every policy unread; `workloads-current-api-version` refuses those versions with the current one named.
import { DaemonSet, Deployment, ReplicaSet, StatefulSet } from "@pulumi/kubernetes/apps/v1";
import { CronJob, Job } from "@pulumi/kubernetes/batch/v1";
import { Pod, PodTemplate } from "@pulumi/kubernetes/core/v1";
import { PolicyConfigSchema } from "@pulumi/policy";
import { CheckedResourcePolicy, ResourceClass, resourcePolicy, ResourceSubject, typeOf } from "./define";
import { Report } from "./report";
import { get, list, PathStep } from "./values";

export interface WorkloadKind {
  /** The type token, e.g. "kubernetes:apps/v1:Deployment". */
  type: string;
  kind: string;
  /** Path from the resource's properties to its PodSpec. */
  podSpec: PathStep[];
  /** The same path as written in messages, e.g. "spec.template.spec". */
  podSpecPath: string;
  /** Path to the pod template's metadata (annotations), beside the PodSpec. */
  podMetadata: PathStep[];
  /** Long-running kinds serve traffic and are probed; Jobs run to completion. */
  longRunning: boolean;
  /** For a removed API version: the version that replaced it. */
  currentVersion?: string;
  /** A server-side-apply patch of the kind (`DeploymentPatch`, ...): it sets only some fields of a live object. */
  patch: boolean;
}

const TEMPLATE = ["spec", "template", "spec"];
const TEMPLATE_META = ["spec", "template", "metadata"];
const CRON_TEMPLATE = ["spec", "jobTemplate", "spec", "template"];

function kind(
  cls: ResourceClass | string,
  name: string,
  longRunning: boolean,
  currentVersion?: string,
  paths = [TEMPLATE, TEMPLATE_META],
): WorkloadKind {
  return {
    type: typeOf(cls),
    kind: name,
    podSpec: paths[0],
    podSpecPath: paths[0].join("."),
    podMetadata: paths[1],
    longRunning,
    currentVersion,
    patch: false,
  };
}

const CRON_PATHS = [
  [...CRON_TEMPLATE, "spec"],
  [...CRON_TEMPLATE, "metadata"],
];

const OBJECT_KINDS: readonly WorkloadKind[] = [
  kind(Deployment, "Deployment", true),
  kind(StatefulSet, "StatefulSet", true),
  kind(DaemonSet, "DaemonSet", true),
  kind(ReplicaSet, "ReplicaSet", true),
  kind(Pod, "Pod", true, undefined, [["spec"], ["metadata"]]),
  kind(PodTemplate, "PodTemplate", true, undefined, [
    ["template", "spec"],
    ["template", "metadata"],
  ]),
  kind(Job, "Job", false),
  kind(CronJob, "CronJob", false, undefined, CRON_PATHS),
  // Removed versions, by token: loading their deprecated classes costs start-up time for nothing.
  kind("kubernetes:apps/v1beta1:Deployment", "Deployment", true, "apps/v1"),
  kind("kubernetes:apps/v1beta1:StatefulSet", "StatefulSet", true, "apps/v1"),
  kind("kubernetes:apps/v1beta2:Deployment", "Deployment", true, "apps/v1"),
  kind("kubernetes:apps/v1beta2:StatefulSet", "StatefulSet", true, "apps/v1"),
  kind("kubernetes:apps/v1beta2:DaemonSet", "DaemonSet", true, "apps/v1"),
  kind("kubernetes:apps/v1beta2:ReplicaSet", "ReplicaSet", true, "apps/v1"),
  kind("kubernetes:extensions/v1beta1:Deployment", "Deployment", true, "apps/v1"),
  kind("kubernetes:extensions/v1beta1:DaemonSet", "DaemonSet", true, "apps/v1"),
  kind("kubernetes:extensions/v1beta1:ReplicaSet", "ReplicaSet", true, "apps/v1"),
  kind("kubernetes:batch/v1beta1:CronJob", "CronJob", false, "batch/v1", CRON_PATHS),
  kind("kubernetes:batch/v2alpha1:CronJob", "CronJob", false, "batch/v1", CRON_PATHS),
];

/** Every kind and version, and the provider's patch resource of each (`kubernetes:apps/v1:DeploymentPatch`). */
export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  ...OBJECT_KINDS,
  ...OBJECT_KINDS.map((k) => ({ ...k, type: `${k.type}Patch`, patch: true })),
];

const KIND_BY_TYPE = new Map(WORKLOAD_KINDS.map((k) => [k.type, k]));

/** The workload kind registered under a type token, if any. */
export function workloadKind(type: string): WorkloadKind | undefined {
  return KIND_BY_TYPE.get(type);
}

/** `Deployment "ledger-stable"`: the kind and the object's metadata.name, else the Pulumi resource name. */
export function workloadLabel(subject: ResourceSubject, kind: string): string {
  const name = get(subject.props, "metadata", "name");
  return `${kind} "${typeof name === "string" && name !== "" ? name : subject.name}"`;
}

export interface PodContext {
  /** e.g. `Deployment "ledger-stable"`. */
  label: string;
  kind: WorkloadKind;
  spec: unknown;
  /** The pod (template) metadata, for annotations. */
  metadata: unknown;
  /** Property path prefix for messages, e.g. "spec.template.spec". */
  path: string;
  /** spec.os.name is "windows": the Standards exempt such pods from the Linux-only restricted controls. */
  windows: boolean;
  /** spec.hostUsers is false: the pod runs in a user namespace, where UID 0 is not the host's root. */
  userNamespace: boolean;
}

export type ContainerRole = "container" | "init container" | "ephemeral container";

export interface ContainerContext {
  /** e.g. `Deployment "ledger-stable" container "ledger"`. */
  label: string;
  container: unknown;
  role: ContainerRole;
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
  /** Whether ephemeral (debug) containers are checked too; default true. They take no probes and no resources. */
  ephemeralContainers?: boolean;
  checkPod?: (pod: PodContext, config: C, report: Report) => void;
  checkContainer?: (c: ContainerContext, pod: PodContext, config: C, report: Report) => void;
}

/** The pod of a workload subject, or undefined when the subject is no workload or its pod spec is unknown. */
export function podOf(subject: ResourceSubject, report: Report): PodContext | undefined {
  const kind = KIND_BY_TYPE.get(subject.type);
  if (kind === undefined) {
    return undefined;
  }
  const label = workloadLabel(subject, kind.patch ? `${kind.kind}Patch` : kind.kind);
  const path = kind.podSpecPath;
  const spec = get(subject.props, ...kind.podSpec);
  if (!report.known(spec, `${label} ${path}`)) {
    return undefined;
  }
  const metadata = get(subject.props, ...kind.podMetadata);
  return {
    label,
    kind,
    spec,
    metadata,
    path,
    windows: get(spec, "os", "name") === "windows",
    userNamespace: get(spec, "hostUsers") === false,
  };
}

export function workloadPolicy<C extends object = object>(spec: WorkloadPolicySpec<C>): CheckedResourcePolicy<C> {
  const kinds = WORKLOAD_KINDS.filter((k) => k.longRunning || !spec.longRunningOnly);
  const roles: ContainerRole[] = ["container"];
  if (spec.initContainers ?? true) roles.push("init container");
  if (spec.ephemeralContainers ?? true) roles.push("ephemeral container");
  return resourcePolicy<C>({
    name: spec.name,
    description: spec.description,
    defaults: spec.defaults,
    configSchema: spec.configSchema,
    resources: kinds.map((k) => k.type),
    check: (subject, config, report) => {
      const pod = podOf(subject, report);
      if (pod === undefined) {
        return;
      }
      report.requirementsApply = !pod.kind.patch;
      spec.checkPod?.(pod, config, report);
      if (spec.checkContainer !== undefined) {
        for (const c of containersOf(pod, roles, report)) {
          spec.checkContainer(c, pod, config, report);
        }
      }
    },
  });
}

const FIELD: Record<ContainerRole, string> = {
  container: "containers",
  "init container": "initContainers",
  "ephemeral container": "ephemeralContainers",
};

export const ALL_ROLES: readonly ContainerRole[] = ["container", "init container", "ephemeral container"];

/** The containers, init containers and ephemeral containers of a pod (as asked); an unknown list is recorded as unverifiable. */
export function containersOf(pod: PodContext, roles: readonly ContainerRole[], report: Report): ContainerContext[] {
  const result: ContainerContext[] = [];
  for (const role of roles) {
    const field = FIELD[role];
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
      result.push({ label: `${pod.label} ${role} ${id}`, container, role });
    });
  }
  return result;
}

/** A container's security setting, falling back to the pod's securityContext where Kubernetes does. */
export function effectiveSecurity(c: ContainerContext, pod: PodContext, ...field: PathStep[]): unknown {
  const own = get(c.container, "securityContext", ...field);
  return own === undefined ? get(pod.spec, "securityContext", ...field) : own;
}
