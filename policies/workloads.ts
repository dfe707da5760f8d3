// Workloads: images pinned to a version (and by digest where a stack asks), long-running containers probed for
// liveness and readiness on different endpoints, and scratch space bounded.
import { get, show } from "./lib/values";
import { workloadPolicy } from "./lib/workload";

/** The tag of an image reference; a registry port ("host:5000/app") is not a tag. */
export function imageTag(image: string): string | undefined {
  const name = image.split("@")[0];
  const colon = name.lastIndexOf(":");
  return colon > name.lastIndexOf("/") ? name.slice(colon + 1) : undefined;
}

const HEX64 = /^[0-9a-f]{64}$/;
const DIGEST_MARK = "@sha256:";

/** Whether an image reference ends in a sha256 digest; checks the 64 characters after the mark, not the whole string. */
export function hasDigest(image: string): boolean {
  const at = image.lastIndexOf(DIGEST_MARK);
  return at >= 0 && HEX64.test(image.slice(at + DIGEST_MARK.length));
}

/** Why an image reference is not pinned, or undefined when it is (a version tag or a digest). */
export function unpinnedReason(image: unknown): string | undefined {
  if (typeof image !== "string" || image.trim() === "") {
    return "the image is unset";
  }
  if (hasDigest(image)) {
    return undefined;
  }
  const tag = imageTag(image);
  if (tag === undefined || tag === "") {
    return `${show(image)} has no tag`;
  }
  if (tag === "latest") {
    return `${show(image)} is tagged latest`;
  }
  return undefined;
}

export const containerImagesPinned = workloadPolicy({
  name: "container-images-pinned",
  description:
    "Checks whether every container image is pinned to a version tag or a digest (no latest, no tagless image).",
  checkContainer: (c, _pod, _config, report) => {
    const image = get(c.container, "image");
    if (!report.known(image, `${c.label} image`)) {
      return;
    }
    const reason = unpinnedReason(image);
    if (reason !== undefined) {
      (image === undefined ? report.missing : report.fail).call(
        report,
        `${c.label} must pin its image to a version tag or a digest: ${reason}; use e.g. "<repository>:1.4.0" or "<repository>@sha256:<digest>".`,
      );
    }
  },
});

export const containerProbesRequired = workloadPolicy({
  name: "container-probes-required",
  description:
    "Checks whether every container of a long-running workload has a liveness and a readiness probe (Jobs and CronJobs are exempt).",
  longRunningOnly: true,
  initContainers: false,
  ephemeralContainers: false,
  checkContainer: (c, _pod, _config, report) => {
    for (const probe of ["livenessProbe", "readinessProbe"]) {
      const value = get(c.container, probe);
      if (report.known(value, `${c.label} ${probe}`) && (value === undefined || value === null)) {
        report.missing(
          `${c.label} must define a ${probe}; add an httpGet, tcpSocket, grpc or exec probe (the services serve /health).`,
        );
      }
    }
  },
});

export const containerImagesDigestPinned = workloadPolicy({
  name: "container-images-digest-pinned",
  description:
    "Checks whether every container image is pinned by digest (`<repository>:<tag>@sha256:<digest>`), so a re-pushed tag cannot change what runs.",
  checkContainer: (c, _pod, _config, report) => {
    const image = get(c.container, "image");
    if (report.known(image, `${c.label} image`) && !(typeof image === "string" && hasDigest(image))) {
      (image === undefined ? report.missing : report.fail).call(
        report,
        `${c.label} must pin its image by digest (it is ${show(image)}); add the release's digest, e.g. "<repository>:1.4.0@sha256:<digest>" (config slipway:imageDigests).`,
      );
    }
  },
});

/** The handler of a probe (httpGet, tcpSocket, grpc or exec) as comparable text; undefined when there is no probe. */
function handler(probe: unknown): string | undefined {
  if (probe === undefined || probe === null) return undefined;
  const parts = ["httpGet", "tcpSocket", "grpc", "exec"]
    .map((k) => [k, get(probe, k)])
    .filter(([, v]) => v !== undefined);
  return JSON.stringify(parts);
}

export const containerReadinessOwnEndpoint = workloadPolicy({
  name: "container-readiness-own-endpoint",
  description:
    "Checks whether each container's readiness probe differs from its liveness probe, so a dependency outage takes pods out of service instead of restarting them all.",
  longRunningOnly: true,
  initContainers: false,
  ephemeralContainers: false,
  checkContainer: (c, _pod, _config, report) => {
    const liveness = get(c.container, "livenessProbe");
    const readiness = get(c.container, "readinessProbe");
    if (!report.known(liveness, `${c.label} livenessProbe`) || !report.known(readiness, `${c.label} readinessProbe`)) {
      return;
    }
    // Different HTTP paths are the usual case: settle it without serializing the probes.
    const path = get(liveness, "httpGet", "path");
    if (path !== undefined && path !== get(readiness, "httpGet", "path")) {
      return;
    }
    const live = handler(liveness);
    if (live !== undefined && live === handler(readiness)) {
      report.fail(
        `${c.label} must probe readiness on its own endpoint, not the liveness one (${live}); serve readiness from a path that also checks dependencies, e.g. /health/external.`,
      );
    }
  },
});

export const containerEphemeralStorageLimits = workloadPolicy({
  name: "container-ephemeral-storage-limits",
  description:
    "Checks whether every container requests and limits ephemeral-storage, so a pod filling its scratch space is evicted instead of filling the node's disk.",
  ephemeralContainers: false,
  checkContainer: (c, _pod, _config, report) => {
    for (const kind of ["requests", "limits"]) {
      const value = get(c.container, "resources", kind, "ephemeral-storage");
      if (
        report.known(value, `${c.label} resources.${kind}.ephemeral-storage`) &&
        (value === undefined || value === null || value === "")
      ) {
        report.missing(
          `${c.label} must set resources.${kind}.ephemeral-storage; add a quantity such as "${kind === "requests" ? "128Mi" : "1Gi"}".`,
        );
      }
    }
  },
});
