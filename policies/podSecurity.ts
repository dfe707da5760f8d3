// The Pod Security Standards controls (baseline and restricted, Kubernetes 1.35) beyond users and privileges
// (./nonRoot.ts): kernel confinement (./podConfinement.ts), host reach (./podHost.ts), and here volume types and
// workloads in API versions Kubernetes no longer serves. This module keeps the one import path of all of them.
import { resourcePolicy } from "./lib/define";
import { get, list, show } from "./lib/values";
import { WORKLOAD_KINDS, workloadKind, workloadLabel, workloadPolicy } from "./lib/workload";

export {
  containersDefaultProcMount,
  podsAppArmorProfile,
  podsSafeSysctls,
  podsSeccompConfined,
  podsSeLinuxOptions,
  SAFE_SYSCTLS,
} from "./podConfinement";
export {
  containersNoHostPorts,
  containersNoHostProbes,
  PROBE_ACTIONS,
  PROBE_HANDLERS,
  podsNoWindowsHostProcess,
} from "./podHost";
export type { HostPortsConfig } from "./podHost";

/**
 * The inline volume sources the restricted profile allows: Pod Security Admission's list, which has allowed `image`
 * (OCI image volumes) since Kubernetes 1.33 (kubernetes/kubernetes#130394), although the Standards page still lists eight.
 */
export const RESTRICTED_VOLUME_TYPES = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "image",
  "persistentVolumeClaim",
  "projected",
  "secret",
];

/** The volume sources a volume sets: every field but its name that holds a value. */
function volumeSources(volume: object): string[] {
  return Object.keys(volume).filter((k) => k !== "name" && get(volume, k) !== undefined && get(volume, k) !== null);
}

export const podsRestrictedVolumeTypes = workloadPolicy({
  name: "pods-restricted-volume-types",
  description:
    'Checks whether every pod volume names exactly one source and that source is one the restricted profile allows (Pod Security Standards "Volume Types").',
  checkPod: (pod, _config, report) => {
    const volumes = list(pod.spec, "volumes");
    if (!report.known(volumes, `${pod.label} ${pod.path}.volumes`)) {
      return;
    }
    volumes.forEach((volume, i) => {
      if (!report.known(volume, `${pod.label} ${pod.path}.volumes[${i}]`) || volume === null) {
        return;
      }
      const name = show(get(volume, "name"));
      const sources = typeof volume === "object" ? volumeSources(volume) : [];
      const allowed = RESTRICTED_VOLUME_TYPES.join(", ");
      if (sources.length === 0) {
        // Pod Security Admission refuses a volume of no known source (its "unknown" type) as it refuses hostPath.
        report.fail(`${pod.label} must not mount volume ${name} without a source; set exactly one of ${allowed}.`);
        return;
      }
      const refused = sources.filter((s) => !RESTRICTED_VOLUME_TYPES.includes(s));
      if (refused.length > 0) {
        report.fail(
          `${pod.label} must not mount volume ${name} of type ${refused.map(show).join(", ")}; use one of ${allowed}.`,
        );
      } else if (sources.length > 1) {
        report.fail(
          `${pod.label} must not mount volume ${name} with several sources (${sources.join(", ")}); set exactly one of ${allowed}.`,
        );
      }
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
