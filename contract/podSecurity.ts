// The security settings every pod the platform runs carries: the services' pods (components/podSpec.ts) and the
// Jobs the driver starts for gates (automation/analysis/jobRunner.ts). One definition, so a Job the driver creates
// passes the same policies as the services do.

/** A seccomp profile as the API takes it; the policy pack decides which are acceptable. */
export interface SeccompProfile {
  type: "RuntimeDefault" | "Localhost" | "Unconfined";
  /** Path of the profile below the kubelet's seccomp directory (Localhost only). */
  localhostProfile?: string;
}

export const RUNTIME_DEFAULT: SeccompProfile = { type: "RuntimeDefault" };

/** Non-zero UID/GID the images run as. */
export const RUN_AS_USER = 10001;

export function containerSecurityContext(seccompProfile: SeccompProfile = RUNTIME_DEFAULT) {
  return {
    runAsNonRoot: true,
    runAsUser: RUN_AS_USER,
    runAsGroup: RUN_AS_USER,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile,
  };
}
