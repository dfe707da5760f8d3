// Availability: replicated Deployments covered by a PodDisruptionBudget that never blocks a drain, replicas spread
// over failure domains, and replacements that start the new object before the old one goes.
import { Deployment } from "@pulumi/kubernetes/apps/v1";
import { HorizontalPodAutoscaler as HpaV1 } from "@pulumi/kubernetes/autoscaling/v1";
import { HorizontalPodAutoscaler as HpaV2 } from "@pulumi/kubernetes/autoscaling/v2";
import { PodDisruptionBudget } from "@pulumi/kubernetes/policy/v1";
import { resourcePolicy, stackPolicy, StackSubject, typeOf } from "./lib/define";
import { Report } from "./lib/report";
import { get, isUnknown, list, show } from "./lib/values";
import { WORKLOAD_KINDS, workloadLabel, workloadPolicy } from "./lib/workload";

const DEPLOYMENT = typeOf(Deployment);
const HPA_TYPES = [typeOf(HpaV2), typeOf(HpaV1)];
const PDB = typeOf(PodDisruptionBudget);

function namespaceOf(r: StackSubject): unknown {
  const ns = get(r.props, "metadata", "namespace");
  return ns === undefined || ns === "" ? "default" : ns;
}

function metadataName(r: StackSubject): unknown {
  return get(r.props, "metadata", "name");
}

/** Whether a label selector (matchLabels and matchExpressions) selects pods with `labels`; undefined when unknown. */
export function selects(selector: unknown, labels: Record<string, unknown>): boolean | undefined {
  const matchLabels = get(selector, "matchLabels");
  const expressions = list(selector, "matchExpressions");
  if (isUnknown(matchLabels) || isUnknown(expressions)) {
    return undefined;
  }
  const required = (matchLabels ?? {}) as Record<string, unknown>;
  const keys = Object.keys(required);
  if (keys.length === 0 && expressions.length === 0) {
    // An empty selector in policy/v1 selects every pod in the namespace.
    return true;
  }
  if (!keys.every((k) => labels[k] === required[k])) {
    return false;
  }
  return expressions.every((e) => {
    const key = String(get(e, "key"));
    const values = list(e, "values");
    const vals = isUnknown(values) ? [] : values;
    switch (get(e, "operator")) {
      case "In":
        return vals.includes(labels[key]);
      case "NotIn":
        return !vals.includes(labels[key]);
      case "Exists":
        return key in labels;
      case "DoesNotExist":
        return !(key in labels);
      default:
        return false;
    }
  });
}

/** Replicas a Deployment runs: spec.replicas, else the largest minReplicas of the autoscalers targeting it, else 1. */
function replicasOf(resources: StackSubject[], deployment: StackSubject): unknown {
  const replicas = get(deployment.props, "spec", "replicas");
  if (replicas !== undefined) {
    return replicas;
  }
  const name = metadataName(deployment);
  const ns = namespaceOf(deployment);
  let most = 1;
  for (const hpa of resources) {
    if (!HPA_TYPES.includes(hpa.type)) {
      continue;
    }
    const target = get(hpa.props, "spec", "scaleTargetRef");
    if (get(target, "kind") === "Deployment" && get(target, "name") === name && namespaceOf(hpa) === ns) {
      const min = get(hpa.props, "spec", "minReplicas");
      if (isUnknown(min)) {
        return min;
      }
      most = Math.max(most, typeof min === "number" ? min : 1);
    }
  }
  return most;
}

function checkDeployment(resources: StackSubject[], deployment: StackSubject, report: Report): void {
  const label = workloadLabel(deployment, "Deployment");
  const replicas = replicasOf(resources, deployment);
  if (
    !report.known(replicas, `${label} spec.replicas`, deployment.urn) ||
    typeof replicas !== "number" ||
    replicas < 2
  ) {
    return;
  }
  const labels = get(deployment.props, "spec", "template", "metadata", "labels");
  const ns = namespaceOf(deployment);
  if (
    !report.known(labels, `${label} spec.template.metadata.labels`, deployment.urn) ||
    !report.known(ns, `${label} metadata.namespace`, deployment.urn)
  ) {
    return;
  }
  let unverifiable = false;
  for (const pdb of resources) {
    if (pdb.type !== PDB) {
      continue;
    }
    const pdbNs = namespaceOf(pdb);
    const match = selects(get(pdb.props, "spec", "selector"), (labels ?? {}) as Record<string, unknown>);
    if (match === true && pdbNs === ns) {
      return;
    }
    unverifiable ||= (match !== false && isUnknown(pdbNs)) || match === undefined;
  }
  if (unverifiable) {
    report.defer(`${label} PodDisruptionBudget coverage (a selector or namespace)`, deployment.urn);
    return;
  }
  report.fail(
    `${label} must be covered by a PodDisruptionBudget: it runs ${replicas} replicas and no PodDisruptionBudget in namespace "${String(ns)}" selects its pods; add one whose selector matches the pod labels (e.g. maxUnavailable: 1).`,
    deployment.urn,
  );
}

export const pdbForMultiReplicaDeployments = stackPolicy({
  name: "pdb-for-multi-replica-deployments",
  description:
    "Checks whether every Deployment with more than one replica (counting its autoscaler's minimum) is covered by a PodDisruptionBudget in its namespace.",
  check: (resources, _config, report) => {
    for (const r of resources) {
      if (r.type === DEPLOYMENT) {
        checkDeployment(resources, r, report);
      }
    }
  },
});

export const pdbUnhealthyPodEvictionAlwaysAllow = resourcePolicy({
  name: "pdb-unhealthy-pod-eviction-always-allow",
  description:
    "Checks whether every PodDisruptionBudget sets unhealthyPodEvictionPolicy: AlwaysAllow, so a pod that is not Ready never blocks a node drain or a cluster upgrade.",
  resources: [PDB],
  check: (subject, _config, report) => {
    const policy = get(subject.props, "spec", "unhealthyPodEvictionPolicy");
    const label = workloadLabel(subject, "PodDisruptionBudget");
    if (report.known(policy, `${label} spec.unhealthyPodEvictionPolicy`) && policy !== "AlwaysAllow") {
      report.fail(
        `${label} must set spec.unhealthyPodEvictionPolicy: AlwaysAllow (it is ${show(policy)}); unhealthy pods then never hold up a drain.`,
      );
    }
  },
});

export interface SpreadConfig {
  /** The failure domain replicas must spread over: "kubernetes.io/hostname" or "topology.kubernetes.io/zone". */
  topologyKey: string;
  /** Whether the spread must be hard (whenUnsatisfiable: DoNotSchedule, or required anti-affinity). */
  required: boolean;
}

const SPREAD_KINDS = new Set(["Deployment", "StatefulSet", "ReplicaSet"]);

function spreads(spec: unknown, config: SpreadConfig): boolean {
  const constraints = list(spec, "topologySpreadConstraints");
  const viaSpread =
    !isUnknown(constraints) &&
    constraints.some(
      (c) =>
        get(c, "topologyKey") === config.topologyKey &&
        (!config.required || get(c, "whenUnsatisfiable") === "DoNotSchedule"),
    );
  const required = list(spec, "affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution");
  const preferred = list(spec, "affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution");
  const viaRequired = !isUnknown(required) && required.some((t) => get(t, "topologyKey") === config.topologyKey);
  const viaPreferred =
    !config.required &&
    !isUnknown(preferred) &&
    preferred.some((t) => get(t, "podAffinityTerm", "topologyKey") === config.topologyKey);
  return viaSpread || viaRequired || viaPreferred;
}

export const workloadsSpreadAcrossFailureDomains = workloadPolicy<SpreadConfig>({
  name: "workloads-spread-across-failure-domains",
  description:
    "Checks whether replicated workloads spread their pods over the stack's failure domain (nodes, or zones) with a topology spread constraint or pod anti-affinity.",
  longRunningOnly: true,
  defaults: { topologyKey: "kubernetes.io/hostname", required: false },
  configSchema: {
    properties: {
      topologyKey: { type: "string", default: "kubernetes.io/hostname" },
      required: { type: "boolean", default: false },
    },
  },
  checkPod: (pod, config, report) => {
    if (!SPREAD_KINDS.has(pod.kind.kind)) return;
    const constraints = get(pod.spec, "topologySpreadConstraints");
    const affinity = get(pod.spec, "affinity");
    if (
      !report.known(constraints, `${pod.label} ${pod.path}.topologySpreadConstraints`) ||
      !report.known(affinity, `${pod.label} ${pod.path}.affinity`)
    )
      return;
    if (!spreads(pod.spec, config)) {
      const how = config.required
        ? "whenUnsatisfiable: DoNotSchedule"
        : "whenUnsatisfiable: ScheduleAnyway or DoNotSchedule";
      report.missing(
        `${pod.label} must spread its pods over ${config.topologyKey}; add a topologySpreadConstraint with topologyKey ${config.topologyKey}, maxSkew 1 and ${how}.`,
      );
    }
  },
});

const SERVING_TYPES = [
  DEPLOYMENT,
  "kubernetes:core/v1:Service",
  "kubernetes:core/v1:ServicePatch",
  ...WORKLOAD_KINDS.filter((k) => k.kind === "Deployment").map((k) => k.type),
];

export const servingObjectsCreateBeforeReplace = resourcePolicy({
  name: "serving-objects-create-before-replace",
  description:
    "Checks whether no Deployment or Service sets the deleteBeforeReplace option, which turns every replacement into an outage.",
  resources: [...new Set(SERVING_TYPES)],
  check: (subject, _config, report) => {
    if (subject.opts?.deleteBeforeReplace === true) {
      const kind = subject.type.split(":")[2];
      report.fail(
        `${workloadLabel(subject, kind)} must not set deleteBeforeReplace: remove the option so a replacement starts the new object before the old one goes; keep immutable fields (selectors) stable so a replacement is never needed under the same name.`,
      );
    }
  },
});
