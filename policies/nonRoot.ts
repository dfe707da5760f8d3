// Non-root: containers run as an unprivileged user, cannot gain privileges, and pods stay out of the host.
import { get, list, show } from "./lib/values";
import { effectiveSecurity, workloadPolicy } from "./lib/workload";

export const containersRunAsNonRoot = workloadPolicy({
    name: "containers-run-as-non-root",
    description: "Checks whether every container runs as non-root: runAsNonRoot true at pod or container level (the container's setting wins) and no runAsUser 0.",
    checkContainer: (c, pod, _config, report) => {
        const nonRoot = effectiveSecurity(c, pod, "runAsNonRoot");
        if (report.known(nonRoot, `${c.label} securityContext.runAsNonRoot`) && nonRoot !== true) {
            const where = nonRoot === false ? "instead of false" : `in the container's or the pod's securityContext`;
            report.fail(`${c.label} must run as non-root; set securityContext.runAsNonRoot: true ${where}.`);
        }
        const user = effectiveSecurity(c, pod, "runAsUser");
        if (report.known(user, `${c.label} securityContext.runAsUser`) && user === 0) {
            report.fail(`${c.label} must not run as user 0 (root); set securityContext.runAsUser to a non-zero UID such as 10001.`);
        }
    },
});

export const containersNotPrivileged = workloadPolicy({
    name: "containers-not-privileged",
    description: "Checks whether every container runs unprivileged (securityContext.privileged is not true).",
    checkContainer: (c, _pod, _config, report) => {
        const privileged = get(c.container, "securityContext", "privileged");
        if (report.known(privileged, `${c.label} securityContext.privileged`) && privileged === true) {
            report.fail(`${c.label} must not run privileged; remove securityContext.privileged or set it to false.`);
        }
    },
});

export const containersNoPrivilegeEscalation = workloadPolicy({
    name: "containers-no-privilege-escalation",
    description: "Checks whether every container sets securityContext.allowPrivilegeEscalation to false (Kubernetes allows escalation when it is unset).",
    checkContainer: (c, _pod, _config, report) => {
        const allow = get(c.container, "securityContext", "allowPrivilegeEscalation");
        if (report.known(allow, `${c.label} securityContext.allowPrivilegeEscalation`) && allow !== false) {
            report.fail(`${c.label} must set securityContext.allowPrivilegeEscalation: false (it is ${show(allow)}).`);
        }
    },
});

export interface CapabilitiesConfig {
    /** Capabilities a container may add back after dropping ALL. */
    allowedCapabilities: string[];
}

export const containersDropAllCapabilities = workloadPolicy<CapabilitiesConfig>({
    name: "containers-drop-all-capabilities",
    description: "Checks whether every container drops ALL Linux capabilities and adds back only allowed ones.",
    defaults: { allowedCapabilities: ["NET_BIND_SERVICE"] },
    configSchema: {
        properties: { allowedCapabilities: { type: "array", items: { type: "string" }, default: ["NET_BIND_SERVICE"] } },
    },
    checkContainer: (c, _pod, config, report) => {
        const drop = list(c.container, "securityContext", "capabilities", "drop");
        if (report.known(drop, `${c.label} securityContext.capabilities.drop`) && !drop.includes("ALL")) {
            report.fail(`${c.label} must drop all capabilities; set securityContext.capabilities.drop: ["ALL"].`);
        }
        const add = list(c.container, "securityContext", "capabilities", "add");
        if (report.known(add, `${c.label} securityContext.capabilities.add`)) {
            const extra = add.filter((cap) => typeof cap !== "string" || !config.allowedCapabilities.includes(cap));
            if (extra.length > 0) {
                report.fail(`${c.label} must not add capabilities ${extra.map(show).join(", ")}; remove them from securityContext.capabilities.add (allowed: ${config.allowedCapabilities.join(", ") || "none"}).`);
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
            report.fail(`${c.label} must set securityContext.readOnlyRootFilesystem: true (it is ${show(readOnly)}); mount an emptyDir where the process needs to write.`);
        }
    },
});

export const podsNoHostPath = workloadPolicy({
    name: "pods-no-host-path",
    description: "Checks whether pods mount no hostPath volumes.",
    checkPod: (pod, _config, report) => {
        const volumes = list(pod.spec, "volumes");
        if (!report.known(volumes, `${pod.label} ${pod.path}.volumes`)) {
            return;
        }
        volumes.forEach((volume, i) => {
            const hostPath = get(volume, "hostPath");
            if (report.known(hostPath, `${pod.label} ${pod.path}.volumes[${i}].hostPath`) && hostPath !== undefined && hostPath !== null) {
                const name = get(volume, "name");
                report.fail(`${pod.label} must not mount hostPath volume ${show(name)}; use an emptyDir, a ConfigMap or a PersistentVolumeClaim instead.`);
            }
        });
    },
});

export const podsNoHostNamespaces = workloadPolicy({
    name: "pods-no-host-namespaces",
    description: "Checks whether pods stay out of the host's network, PID and IPC namespaces (hostNetwork, hostPID, hostIPC).",
    checkPod: (pod, _config, report) => {
        for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
            const value = get(pod.spec, field);
            if (report.known(value, `${pod.label} ${pod.path}.${field}`) && value === true) {
                report.fail(`${pod.label} must not use the host's namespace; remove ${pod.path}.${field} or set it to false.`);
            }
        }
    },
});
