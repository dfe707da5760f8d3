// Identity: every workload runs under a ServiceAccount of its own, and no IAM policy grants a wildcard action.
import { resourcePolicy } from "./lib/define";
import { Report } from "./lib/report";
import { get, list, show } from "./lib/values";
import { workloadPolicy } from "./lib/workload";

export const workloadsOwnServiceAccount = workloadPolicy({
  name: "workloads-own-service-account",
  description:
    "Checks whether every workload names a ServiceAccount of its own instead of the namespace's default one.",
  checkPod: (pod, _config, report) => {
    const name = get(pod.spec, "serviceAccountName");
    const legacy = get(pod.spec, "serviceAccount");
    if (
      !report.known(name, `${pod.label} ${pod.path}.serviceAccountName`) ||
      !report.known(legacy, `${pod.label} ${pod.path}.serviceAccount`)
    ) {
      return;
    }
    const effective = name ?? legacy;
    if (effective === undefined || effective === null || effective === "" || effective === "default") {
      (effective === "default" ? report.fail : report.missing).call(
        report,
        `${pod.label} must run under a ServiceAccount of its own (it uses ${effective === "default" ? '"default"' : "the namespace's default"}); set ${pod.path}.serviceAccountName to the workload's own account.`,
      );
    }
  },
});

const POLICY_TYPES = [
  "aws:iam/policy:Policy",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/groupPolicy:GroupPolicy",
];
const ROLE = "aws:iam/role:Role";

/** Wildcard actions an Allow statement grants: "*", "service:*", and any NotAction (everything but a list). */
export function wildcardGrants(document: unknown): string[] {
  const parsed = typeof document === "string" ? safeJson(document) : document;
  const raw = get(parsed, "Statement");
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const found: string[] = [];
  for (const st of statements) {
    if (get(st, "Effect") !== "Allow") continue;
    const actions = get(st, "Action");
    for (const a of Array.isArray(actions) ? actions : actions === undefined ? [] : [actions]) {
      if (typeof a === "string" && (a === "*" || a.endsWith(":*"))) found.push(a);
    }
    if (get(st, "NotAction") !== undefined) found.push("NotAction");
  }
  return found;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function checkDocument(what: string, document: unknown, report: Report): void {
  if (!report.known(document, what) || document === undefined) {
    return;
  }
  const grants = wildcardGrants(document);
  if (grants.length > 0) {
    report.fail(
      `${what} must name the actions it allows, not ${grants.map(show).join(", ")}; list each action the workload calls (e.g. "s3:GetObject").`,
    );
  }
}

export const iamNoWildcardActions = resourcePolicy({
  name: "iam-no-wildcard-actions",
  description:
    'Checks whether no IAM policy or role\'s inline policy allows a wildcard action ("*", "service:*") or uses NotAction in an Allow statement.',
  resources: [...POLICY_TYPES, ROLE],
  check: (subject, _config, report) => {
    if (subject.type === ROLE) {
      const inline = list(subject.props, "inlinePolicies");
      if (report.known(inline, `IAM role "${subject.name}" inlinePolicies`)) {
        inline.forEach((p, i) =>
          checkDocument(
            `IAM role "${subject.name}" inline policy ${show(get(p, "name") ?? i)}`,
            get(p, "policy"),
            report,
          ),
        );
      }
      return;
    }
    checkDocument(`IAM policy "${subject.name}"`, get(subject.props, "policy"), report);
  },
});
