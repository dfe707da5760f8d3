// Non-root: containers run as an unprivileged user, cannot gain privileges, and pods stay out of the host.
// Semantics follow the Pod Security Standards (restricted, Kubernetes 1.35): a pod-level value the Standards forbid is
// refused even when every container overrides it, Windows pods are exempt from the Linux-only controls, and pods in a
// user namespace (`hostUsers: false`) may run as UID 0.
import { get, list, show } from "./lib/values";
import { effectiveSecurity, PodContext, workloadPolicy } from "./lib/workload";
import { Report } from "./lib/report";

function checkPodNonRoot(pod: PodContext, report: Report): void {
  if (pod.userNamespace) {
    return;
  }
  const nonRoot = get(pod.spec, "securityContext", "runAsNonRoot");
  if (report.known(nonRoot, `${pod.label} ${pod.path}.securityContext.runAsNonRoot`) && nonRoot === false) {
    report.fail(
      `${pod.label} must not set ${pod.path}.securityContext.runAsNonRoot: false, even where containers override it; set it to true.`,
    );
  }
  const user = get(pod.spec, "securityContext", "runAsUser");
  if (report.known(user, `${pod.label} ${pod.path}.securityContext.runAsUser`) && user === 0) {
    report.fail(
      `${pod.label} must not set ${pod.path}.securityContext.runAsUser: 0 (root), even where containers override it; use a non-zero UID such as 10001.`,
    );
  }
}

export const containersRunAsNonRoot = workloadPolicy({
  name: "containers-run-as-non-root",
  description:
    'Checks whether every container runs as non-root (Pod Security Standards "Running as Non-root" and "Running as Non-root user"): runAsNonRoot true at pod or container level, no runAsUser 0 at either level; pods with hostUsers: false are exempt.',
  checkPod: (pod, _config, report) => checkPodNonRoot(pod, report),
  checkContainer: (c, pod, _config, report) => {
    if (pod.userNamespace) {
      return;
    }
    const own = get(c.container, "securityContext", "runAsNonRoot");
    const nonRoot = effectiveSecurity(c, pod, "runAsNonRoot");
    if (
      report.known(own, `${c.label} securityContext.runAsNonRoot`) &&
      report.known(nonRoot, `${c.label} securityContext.runAsNonRoot`)
    ) {
      if (own === false) {
        report.fail(`${c.label} must run as non-root; set securityContext.runAsNonRoot: true instead of false.`);
      } else if (nonRoot !== true) {
        report.missing(
          `${c.label} must run as non-root; set securityContext.runAsNonRoot: true in the container's or the pod's securityContext.`,
        );
      }
    }
    const user = get(c.container, "securityContext", "runAsUser");
    if (report.known(user, `${c.label} securityContext.runAsUser`) && user === 0) {
      report.fail(
        `${c.label} must not run as user 0 (root); set securityContext.runAsUser to a non-zero UID such as 10001.`,
      );
    }
  },
});

export const containersNotPrivileged = workloadPolicy({
  name: "containers-not-privileged",
  description:
    'Checks whether every container runs unprivileged (Pod Security Standards "Privileged Containers": securityContext.privileged is not true).',
  checkContainer: (c, _pod, _config, report) => {
    const privileged = get(c.container, "securityContext", "privileged");
    if (report.known(privileged, `${c.label} securityContext.privileged`) && privileged === true) {
      report.fail(`${c.label} must not run privileged; remove securityContext.privileged or set it to false.`);
    }
  },
});

export const containersNoPrivilegeEscalation = workloadPolicy({
  name: "containers-no-privilege-escalation",
  description:
    'Checks whether every container sets securityContext.allowPrivilegeEscalation to false (Pod Security Standards "Privilege Escalation"; Kubernetes allows escalation when it is unset; Windows pods are exempt).',
  checkContainer: (c, pod, _config, report) => {
    if (pod.windows) {
      return;
    }
    const allow = get(c.container, "securityContext", "allowPrivilegeEscalation");
    if (report.known(allow, `${c.label} securityContext.allowPrivilegeEscalation`) && allow !== false) {
      (allow === undefined ? report.missing : report.fail).call(
        report,
        `${c.label} must set securityContext.allowPrivilegeEscalation: false (it is ${show(allow)}).`,
      );
    }
  },
});

/** Capabilities the baseline profile lets a container add: the container runtimes' default set. */
export const BASELINE_CAPABILITIES = [
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
];

export interface CapabilitiesConfig {
  /** Capabilities a container may add back after dropping ALL. */
  allowedCapabilities: string[];
}

export const containersDropAllCapabilities = workloadPolicy<CapabilitiesConfig>({
  name: "containers-drop-all-capabilities",
  description:
    'Checks whether every container drops ALL Linux capabilities and adds back only allowed ones (Pod Security Standards "Capabilities", baseline and restricted; Windows pods are held to the baseline add list only).',
  defaults: { allowedCapabilities: ["NET_BIND_SERVICE"] },
  configSchema: {
    properties: { allowedCapabilities: { type: "array", items: { type: "string" }, default: ["NET_BIND_SERVICE"] } },
  },
  checkContainer: (c, pod, config, report) => {
    const drop = list(c.container, "securityContext", "capabilities", "drop");
    if (!pod.windows && report.known(drop, `${c.label} securityContext.capabilities.drop`) && !drop.includes("ALL")) {
      (drop.length === 0 ? report.missing : report.fail).call(
        report,
        `${c.label} must drop all capabilities; set securityContext.capabilities.drop: ["ALL"].`,
      );
    }
    const allowed = pod.windows ? BASELINE_CAPABILITIES : config.allowedCapabilities;
    const add = list(c.container, "securityContext", "capabilities", "add");
    if (report.known(add, `${c.label} securityContext.capabilities.add`)) {
      const extra = add.filter((cap) => typeof cap !== "string" || !allowed.includes(cap));
      if (extra.length > 0) {
        report.fail(
          `${c.label} must not add capabilities ${extra.map(show).join(", ")}; remove them from securityContext.capabilities.add (allowed: ${allowed.join(", ") || "none"}).`,
        );
      }
    }
  },
});

export const containersReadOnlyRootFilesystem = workloadPolicy({
  name: "containers-read-only-root-filesystem",
  description: "Checks whether every container mounts its root filesystem read-only.",
  checkContainer: (c, _pod, _config, report) => {
    const readOnly = get(c.container, "securityContext", "readOnlyRootFilesystem");
    if (report.known(readOnly, `${c.label} securityContext.readOnlyRootFilesystem`) && readOnly !== true) {
      (readOnly === undefined ? report.missing : report.fail).call(
        report,
        `${c.label} must set securityContext.readOnlyRootFilesystem: true (it is ${show(readOnly)}); mount an emptyDir where the process needs to write.`,
      );
    }
  },
});

export const podsNoHostPath = workloadPolicy({
  name: "pods-no-host-path",
  description: 'Checks whether pods mount no hostPath volumes (Pod Security Standards "HostPath Volumes").',
  checkPod: (pod, _config, report) => {
    const volumes = list(pod.spec, "volumes");
    if (!report.known(volumes, `${pod.label} ${pod.path}.volumes`)) {
      return;
    }
    volumes.forEach((volume, i) => {
      const hostPath = get(volume, "hostPath");
      if (
        report.known(hostPath, `${pod.label} ${pod.path}.volumes[${i}].hostPath`) &&
        hostPath !== undefined &&
        hostPath !== null
      ) {
        const name = get(volume, "name");
        report.fail(
          `${pod.label} must not mount hostPath volume ${show(name)}; use an emptyDir, a ConfigMap or a PersistentVolumeClaim instead.`,
        );
      }
    });
  },
});

export const podsNoHostNamespaces = workloadPolicy({
  name: "pods-no-host-namespaces",
  description:
    'Checks whether pods stay out of the host\'s network, PID and IPC namespaces (Pod Security Standards "Host Namespaces": hostNetwork, hostPID, hostIPC).',
  checkPod: (pod, _config, report) => {
    for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
      const value = get(pod.spec, field);
      if (report.known(value, `${pod.label} ${pod.path}.${field}`) && value === true) {
        report.fail(`${pod.label} must not use the host's namespace; remove ${pod.path}.${field} or set it to false.`);
      }
    }
  },
});

export const podsNoRootGroups = workloadPolicy({
  name: "pods-no-root-groups",
  description:
    "Checks whether no pod or container runs with the root group: runAsGroup, fsGroup and supplementalGroups are never 0.",
  checkPod: (pod, _config, report) => {
    for (const field of ["runAsGroup", "fsGroup"]) {
      const value = get(pod.spec, "securityContext", field);
      if (report.known(value, `${pod.label} ${pod.path}.securityContext.${field}`) && value === 0) {
        report.fail(
          `${pod.label} must not set ${pod.path}.securityContext.${field}: 0 (root group); use a non-zero GID such as 10001.`,
        );
      }
    }
    const groups = list(pod.spec, "securityContext", "supplementalGroups");
    if (report.known(groups, `${pod.label} ${pod.path}.securityContext.supplementalGroups`) && groups.includes(0)) {
      report.fail(
        `${pod.label} must not list GID 0 (root group) in ${pod.path}.securityContext.supplementalGroups; remove it.`,
      );
    }
  },
  checkContainer: (c, _pod, _config, report) => {
    const group = get(c.container, "securityContext", "runAsGroup");
    if (report.known(group, `${c.label} securityContext.runAsGroup`) && group === 0) {
      report.fail(
        `${c.label} must not set securityContext.runAsGroup: 0 (root group); use a non-zero GID such as 10001.`,
      );
    }
  },
});
