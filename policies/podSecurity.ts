// The Pod Security Standards controls (baseline and restricted, Kubernetes 1.35) beyond users and privileges
// (./nonRoot.ts): kernel confinement (seccomp, AppArmor, SELinux, /proc, sysctls), host reach (ports, probes, Windows
// HostProcess), volume types, and workloads in API versions Kubernetes no longer serves. Allowed values are the
// Standards' own lists; "unset" is always allowed where the Standards allow undefined/nil.
import { resourcePolicy } from "./lib/define";
import { Report } from "./lib/report";
import { get, list, PathStep, show } from "./lib/values";
import {
  ContainerContext,
  PodContext,
  WORKLOAD_KINDS,
  workloadKind,
  workloadLabel,
  workloadPolicy,
} from "./lib/workload";

const CONFINED_SECCOMP = ["RuntimeDefault", "Localhost"];

/** Checks a pod- or container-level securityContext field against allowed values; true when it is set and allowed. */
function allowedValue(value: unknown, what: string, allowed: readonly unknown[], report: Report, fix: string): boolean {
  if (!report.known(value, what) || value === undefined || value === null) {
    return false;
  }
  if (!allowed.includes(value)) {
    report.fail(`${what} must not be ${show(value)}; ${fix}.`);
    return false;
  }
  return true;
}

export const podsSeccompConfined = workloadPolicy({
  name: "pods-seccomp-confined",
  description:
    'Checks whether every container runs under a seccomp profile (Pod Security Standards "Seccomp": baseline refuses Unconfined, restricted requires RuntimeDefault or Localhost at pod or container level; Windows pods need none).',
  checkPod: (pod, _config, report) => {
    allowedValue(
      get(pod.spec, "securityContext", "seccompProfile", "type"),
      `${pod.label} ${pod.path}.securityContext.seccompProfile.type`,
      CONFINED_SECCOMP,
      report,
      'use "RuntimeDefault" or "Localhost", even where containers override it',
    );
  },
  checkContainer: (c, pod, _config, report) => {
    const own = get(c.container, "securityContext", "seccompProfile", "type");
    const set = allowedValue(
      own,
      `${c.label} securityContext.seccompProfile.type`,
      CONFINED_SECCOMP,
      report,
      'use "RuntimeDefault" or "Localhost"',
    );
    if (set || (own !== undefined && own !== null) || pod.windows) {
      return;
    }
    const podLevel = get(pod.spec, "securityContext", "seccompProfile", "type");
    if (
      report.known(podLevel, `${pod.label} ${pod.path}.securityContext.seccompProfile.type`) &&
      (podLevel === undefined || podLevel === null)
    ) {
      report.missing(
        `${c.label} must run under a seccomp profile; set securityContext.seccompProfile.type: RuntimeDefault in the container's or the pod's securityContext.`,
      );
    }
  },
});

const APPARMOR_TYPES = ["RuntimeDefault", "Localhost"];
const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

export const podsAppArmorProfile = workloadPolicy({
  name: "pods-apparmor-profile",
  description:
    'Checks whether no pod or container disables AppArmor (Pod Security Standards "AppArmor": appArmorProfile.type RuntimeDefault or Localhost, annotations runtime/default or localhost/*).',
  checkPod: (pod, _config, report) => {
    allowedValue(
      get(pod.spec, "securityContext", "appArmorProfile", "type"),
      `${pod.label} ${pod.path}.securityContext.appArmorProfile.type`,
      APPARMOR_TYPES,
      report,
      'use "RuntimeDefault" or "Localhost", or leave it unset',
    );
    const annotations = get(pod.metadata, "annotations");
    if (
      !report.known(annotations, `${pod.label} pod annotations`) ||
      annotations === null ||
      typeof annotations !== "object"
    ) {
      return;
    }
    for (const key of Object.keys(annotations)) {
      if (!key.startsWith(APPARMOR_ANNOTATION)) continue;
      const value = get(annotations, key);
      if (
        report.known(value, `${pod.label} annotation ${key}`) &&
        value !== "runtime/default" &&
        !(typeof value === "string" && value.startsWith("localhost/"))
      ) {
        report.fail(
          `${pod.label} must not set annotation ${key} to ${show(value)}; use "runtime/default" or "localhost/<profile>".`,
        );
      }
    }
  },
  checkContainer: (c, _pod, _config, report) => {
    allowedValue(
      get(c.container, "securityContext", "appArmorProfile", "type"),
      `${c.label} securityContext.appArmorProfile.type`,
      APPARMOR_TYPES,
      report,
      'use "RuntimeDefault" or "Localhost", or leave it unset',
    );
  },
});

const SELINUX_TYPES = ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

function checkSeLinux(owner: string, context: unknown, report: Report): void {
  allowedValue(
    get(context, "seLinuxOptions", "type"),
    `${owner}.seLinuxOptions.type`,
    SELINUX_TYPES,
    report,
    `use one of ${SELINUX_TYPES.filter((t) => t !== "").join(", ")}, or leave it unset`,
  );
  for (const field of ["user", "role"]) {
    allowedValue(
      get(context, "seLinuxOptions", field),
      `${owner}.seLinuxOptions.${field}`,
      [""],
      report,
      "leave it unset",
    );
  }
}

export const podsSeLinuxOptions = workloadPolicy({
  name: "pods-selinux-options",
  description:
    'Checks whether no pod or container sets a custom SELinux user or role or a type outside the container types (Pod Security Standards "SELinux").',
  checkPod: (pod, _config, report) =>
    checkSeLinux(`${pod.label} ${pod.path}.securityContext`, get(pod.spec, "securityContext"), report),
  checkContainer: (c, _pod, _config, report) =>
    checkSeLinux(`${c.label} securityContext`, get(c.container, "securityContext"), report),
});

export const containersDefaultProcMount = workloadPolicy({
  name: "containers-default-proc-mount",
  // Restricted requires Default even in a user namespace, where baseline alone (1.35) would allow Unmasked.
  description:
    'Checks whether every container keeps the default masked /proc (Pod Security Standards "/proc Mount Type", restricted: procMount unset or Default).',
  checkContainer: (c, _pod, _config, report) => {
    allowedValue(
      get(c.container, "securityContext", "procMount"),
      `${c.label} securityContext.procMount`,
      ["Default"],
      report,
      'use "Default" or leave it unset',
    );
  },
});

/** The Standards' safe sysctls: namespaced per pod and isolated from other pods on the node. */
export const SAFE_SYSCTLS = [
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  "net.ipv4.tcp_rmem",
  "net.ipv4.tcp_wmem",
];

export const podsSafeSysctls = workloadPolicy({
  name: "pods-safe-sysctls",
  description: 'Checks whether pods set only the safe sysctls (Pod Security Standards "Sysctls").',
  checkPod: (pod, _config, report) => {
    const sysctls = list(pod.spec, "securityContext", "sysctls");
    if (!report.known(sysctls, `${pod.label} ${pod.path}.securityContext.sysctls`)) {
      return;
    }
    for (const sysctl of sysctls) {
      const name = get(sysctl, "name");
      if (
        report.known(name, `${pod.label} sysctl name`) &&
        (typeof name !== "string" || !SAFE_SYSCTLS.includes(name))
      ) {
        report.fail(
          `${pod.label} must not set sysctl ${show(name)}: it is not namespaced to the pod; remove it from ${pod.path}.securityContext.sysctls (safe: ${SAFE_SYSCTLS.join(", ")}).`,
        );
      }
    }
  },
});

export interface HostPortsConfig {
  /** Host ports a container may bind; the Standards allow "a known list", empty by default. */
  allowedHostPorts: number[];
}

export const containersNoHostPorts = workloadPolicy<HostPortsConfig>({
  name: "containers-no-host-ports",
  description:
    'Checks whether no container binds a host port outside the allowed list (Pod Security Standards "Host Ports").',
  defaults: { allowedHostPorts: [] },
  configSchema: { properties: { allowedHostPorts: { type: "array", items: { type: "integer" }, default: [] } } },
  checkContainer: (c, _pod, config, report) => {
    const ports = list(c.container, "ports");
    if (!report.known(ports, `${c.label} ports`)) {
      return;
    }
    ports.forEach((port, i) => {
      const hostPort = get(port, "hostPort");
      if (
        report.known(hostPort, `${c.label} ports[${i}].hostPort`) &&
        hostPort !== undefined &&
        hostPort !== null &&
        hostPort !== 0 &&
        !config.allowedHostPorts.includes(hostPort as number)
      ) {
        report.fail(
          `${c.label} must not bind host port ${show(hostPort)}; remove ports[${i}].hostPort and reach the pod through a Service.`,
        );
      }
    });
  },
});

const HANDLERS: Array<[string, PathStep[]]> = [
  ["livenessProbe", ["livenessProbe"]],
  ["readinessProbe", ["readinessProbe"]],
  ["startupProbe", ["startupProbe"]],
  ["lifecycle.postStart", ["lifecycle", "postStart"]],
  ["lifecycle.preStop", ["lifecycle", "preStop"]],
];

export const containersNoHostProbes = workloadPolicy({
  name: "containers-no-host-probes",
  description:
    'Checks whether no probe or lifecycle hook of a container targets another host (Pod Security Standards "Host Probes / Lifecycle Hooks": httpGet.host and tcpSocket.host unset or empty).',
  checkContainer: (c, _pod, _config, report) => {
    for (const [name, path] of HANDLERS) {
      for (const action of ["httpGet", "tcpSocket"]) {
        allowedValue(
          get(c.container, ...path, action, "host"),
          `${c.label} ${name}.${action}.host`,
          [""],
          report,
          "remove it so the kubelet probes the pod's own IP",
        );
      }
    }
  },
});

export const podsNoWindowsHostProcess = workloadPolicy({
  name: "pods-no-windows-host-process",
  description:
    'Checks whether no Windows pod or container runs as a HostProcess (Pod Security Standards "HostProcess").',
  checkPod: (pod, _config, report) => {
    allowedValue(
      get(pod.spec, "securityContext", "windowsOptions", "hostProcess"),
      `${pod.label} ${pod.path}.securityContext.windowsOptions.hostProcess`,
      [false],
      report,
      "set it to false or remove it",
    );
  },
  checkContainer: (c: ContainerContext, _pod: PodContext, _config, report) => {
    allowedValue(
      get(c.container, "securityContext", "windowsOptions", "hostProcess"),
      `${c.label} securityContext.windowsOptions.hostProcess`,
      [false],
      report,
      "set it to false or remove it",
    );
  },
});

/** The inline volume sources the restricted profile allows. */
export const RESTRICTED_VOLUME_TYPES = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
];

export const podsRestrictedVolumeTypes = workloadPolicy({
  name: "pods-restricted-volume-types",
  description:
    'Checks whether pods mount only the volume types the restricted profile allows (Pod Security Standards "Volume Types").',
  checkPod: (pod, _config, report) => {
    const volumes = list(pod.spec, "volumes");
    if (!report.known(volumes, `${pod.label} ${pod.path}.volumes`)) {
      return;
    }
    volumes.forEach((volume, i) => {
      if (
        !report.known(volume, `${pod.label} ${pod.path}.volumes[${i}]`) ||
        volume === null ||
        typeof volume !== "object"
      ) {
        return;
      }
      const sources = Object.keys(volume).filter(
        (k) => k !== "name" && get(volume, k) !== undefined && get(volume, k) !== null,
      );
      if (sources.some((s) => RESTRICTED_VOLUME_TYPES.includes(s))) {
        return;
      }
      report.fail(
        `${pod.label} must not mount volume ${show(get(volume, "name"))} of type ${sources.map(show).join(", ") || "unknown"}; use one of ${RESTRICTED_VOLUME_TYPES.join(", ")}.`,
      );
    });
  },
});

export const workloadsCurrentApiVersion = resourcePolicy({
  name: "workloads-current-api-version",
  description:
    "Checks whether every workload is declared in an API version current Kubernetes still serves (not extensions/v1beta1, apps/v1beta1|v1beta2, batch/v1beta1|v2alpha1).",
  resources: WORKLOAD_KINDS.filter((k) => k.currentVersion !== undefined).map((k) => k.type),
  check: (subject, _config, report) => {
    const kind = workloadKind(subject.type);
    if (kind?.currentVersion === undefined) {
      return;
    }
    const old = subject.type.split(":")[1];
    const name = kind.patch ? `${kind.kind}Patch` : kind.kind;
    report.fail(
      `${workloadLabel(subject, name)} must use apiVersion ${kind.currentVersion}: ${old} is no longer served by Kubernetes; declare it as kubernetes:${kind.currentVersion}:${name}.`,
    );
  },
});
