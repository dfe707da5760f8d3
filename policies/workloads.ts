// Workloads: images pinned to a version, and long-running containers probed for liveness and readiness.
import { get, show } from "./lib/values";
import { workloadPolicy } from "./lib/workload";

/** The tag of an image reference; a registry port ("host:5000/app") is not a tag. */
export function imageTag(image: string): string | undefined {
    const name = image.split("@")[0];
    const colon = name.lastIndexOf(":");
    return colon > name.lastIndexOf("/") ? name.slice(colon + 1) : undefined;
}

/** Why an image reference is not pinned, or undefined when it is (a version tag or a digest). */
export function unpinnedReason(image: unknown): string | undefined {
    if (typeof image !== "string" || image.trim() === "") {
        return "the image is unset";
    }
    if (/@sha256:[0-9a-f]{64}$/.test(image)) {
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
    description: "Checks whether every container image is pinned to a version tag or a digest (no latest, no tagless image).",
    checkContainer: (c, _pod, _config, report) => {
        const image = get(c.container, "image");
        if (!report.known(image, `${c.label} image`)) {
            return;
        }
        const reason = unpinnedReason(image);
        if (reason !== undefined) {
            report.fail(`${c.label} must pin its image to a version tag or a digest: ${reason}; use e.g. "<repository>:1.4.0" or "<repository>@sha256:<digest>".`);
        }
    },
});

export const containerProbesRequired = workloadPolicy({
    name: "container-probes-required",
    description: "Checks whether every container of a long-running workload has a liveness and a readiness probe (Jobs and CronJobs are exempt).",
    longRunningOnly: true,
    initContainers: false,
    ephemeralContainers: false,
    checkContainer: (c, _pod, _config, report) => {
        for (const probe of ["livenessProbe", "readinessProbe"]) {
            const value = get(c.container, probe);
            if (report.known(value, `${c.label} ${probe}`) && (value === undefined || value === null)) {
                report.fail(`${c.label} must define a ${probe}; add an httpGet, tcpSocket, grpc or exec probe (the services serve /health).`);
            }
        }
    },
});
