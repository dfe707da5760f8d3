// Networking: every namespace that runs workloads denies all traffic by default, so only declared edges are open.
import { stackPolicy, StackSubject } from "./lib/define";
import { get, isUnknown, list } from "./lib/values";
import { workloadKind } from "./lib/workload";

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

function namespaceOf(r: StackSubject): unknown {
  const ns = get(r.props, "metadata", "namespace");
  return ns === undefined || ns === "" ? "default" : ns;
}

/** A NetworkPolicy selecting every pod, for both directions, with no rule: denies everything not allowed elsewhere. */
export function isDefaultDeny(props: unknown): boolean | undefined {
  const selector = get(props, "spec", "podSelector");
  const types = list(props, "spec", "policyTypes");
  const ingress = list(props, "spec", "ingress");
  const egress = list(props, "spec", "egress");
  if ([selector, types, ingress, egress].some(isUnknown)) {
    return undefined;
  }
  const labels = get(selector, "matchLabels");
  const expressions = list(selector, "matchExpressions");
  const selectsAll =
    (labels === undefined || Object.keys(labels as object).length === 0) && (expressions as unknown[]).length === 0;
  const both = (types as unknown[]).includes("Ingress") && (types as unknown[]).includes("Egress");
  return selectsAll && both && (ingress as unknown[]).length === 0 && (egress as unknown[]).length === 0;
}

export const namespacesDefaultDenyNetworkPolicy = stackPolicy({
  name: "namespaces-default-deny-network-policy",
  description:
    "Checks whether every namespace that runs workloads has a default-deny NetworkPolicy (every pod, Ingress and Egress, no rules).",
  check: (resources, _config, report) => {
    const denied = new Set<unknown>();
    let unverifiable = false;
    for (const r of resources) {
      if (r.type !== NETWORK_POLICY) continue;
      const ns = namespaceOf(r);
      const deny = isDefaultDeny(r.props);
      if (isUnknown(ns) || deny === undefined) unverifiable = true;
      else if (deny) denied.add(ns);
    }
    const reported = new Set<unknown>();
    for (const r of resources) {
      const kind = workloadKind(r.type);
      // A patch changes an object the stack need not own; its namespace is judged where the object is declared.
      if (kind === undefined || kind.patch) continue;
      const ns = namespaceOf(r);
      if (
        !report.known(
          ns,
          `${kind.kind} "${String(get(r.props, "metadata", "name") ?? r.name)}" metadata.namespace`,
          r.urn,
        ) ||
        denied.has(ns) ||
        reported.has(ns)
      )
        continue;
      if (unverifiable) {
        report.defer(`default-deny NetworkPolicy of namespace "${String(ns)}"`, r.urn);
        continue;
      }
      reported.add(ns);
      report.fail(
        `Namespace "${String(ns)}" must have a default-deny NetworkPolicy (podSelector: {}, policyTypes: [Ingress, Egress], no rules) before it runs workloads; add one and allow each needed edge in its own policy.`,
        r.urn,
      );
    }
  },
});
