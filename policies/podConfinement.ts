// The Pod Security Standards controls of kernel confinement: seccomp, AppArmor, SELinux, the /proc mount and sysctls.
// Allowed values are the Standards' own lists; "unset" is allowed where the Standards allow undefined/nil.
import { allowedValue } from "./lib/allowed";
import { Report } from "./lib/report";
import { get, list, show } from "./lib/values";
import { workloadPolicy } from "./lib/workload";

const CONFINED_SECCOMP = ["RuntimeDefault", "Localhost"];

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
