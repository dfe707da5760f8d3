// The images of the Jobs the driver runs for a stack (release hooks, `job` gates) against the stack's digest rule: on
// a digest-pinned environment (contract/release.ts DIGEST_PINNED_ENVIRONMENTS) each must be pinned by digest, as the
// policy pack will require of the Job, so the refusal comes at config load, naming the key, not mid-release.
import { checkDigestPinnedImage, digestImageService, Environment, isDigestPinned } from "../../contract/release";
import { refuse } from "./errors";
import type { Parsed } from "./schema";

/** Every hook and job gate image of the config, with its key (`release.hooks.preTraffic[0].image`). */
export function jobImages(p: Parsed): { key: string; image: string }[] {
  const out: { key: string; image: string }[] = [];
  for (const phase of ["preTraffic", "postPromotion"] as const)
    (p.release?.hooks?.[phase] ?? []).forEach((h, i) =>
      out.push({ key: `release.hooks.${phase}[${i}].image`, image: h.image }),
    );
  for (const list of ["analysis", "prePromotionAnalysis", "postPromotionAnalysis"] as const)
    (p.canary?.[list] ?? []).forEach((g, i) => {
      if (g.provider === "job") out.push({ key: `canary.${list}[${i}].image`, image: g.image });
    });
  return out;
}

/**
 * Refuses a hook or gate image whose `$digest` names no service of the stack's catalogue, and, on a digest-pinned
 * environment, the first one that is not pinned by digest.
 */
export function checkJobImages(env: Environment, p: Parsed, services: readonly string[]): void {
  for (const { key, image } of jobImages(p)) {
    const named = digestImageService(image);
    if (image.includes("$digest") && (named === undefined || !services.includes(named)))
      throw refuse(
        key,
        image,
        `$digest is the release's digest of a service's image: write <repository>/<service>@$digest with one of ${services.join(", ")}`,
      );
    if (!isDigestPinned(env)) continue;
    const fix = checkDigestPinnedImage(image, services);
    if (fix !== undefined) throw refuse(key, image, `${env} runs every image by digest: ${fix}`);
  }
}
