// One build from dev to prod: the image digests a promotion runs. The first stage takes a version's digests from its
// own `slipway:imageDigests` (what the build reported on push); every later stage takes the digests the stage before
// recorded for the version in its release record, and refuses, naming both, a digest of its own config that differs.
// On a digest-pinned stage (contract/release.ts) a version the stage before has no digest of is refused; elsewhere
// (dev, local stacks) it runs by tag. A `<repository>/<service>@$digest` hook or gate image needs its service's digest.
import { digestImageService, isDigestPinned } from "../../contract/release";
import type { StackConfig } from "../../stacks/config";
import type { Deps } from "../deps";
import { InputError } from "../errors";
import { readRelease } from "../state/release";

type Digests = Partial<Record<string, Record<string, string>>>;

/** The services whose digest a `...@$digest` hook or gate image of the config names. Pure. */
export function digestImageServices(c: StackConfig): string[] {
  const images = [
    ...c.hooks.preTraffic,
    ...c.hooks.postPromotion,
    ...c.canary.analysis,
    ...c.canary.prePromotionAnalysis,
    ...c.canary.postPromotionAnalysis,
  ].map((j) => j.image ?? "");
  return [...new Set(images.map(digestImageService).filter((s): s is string => s !== undefined))];
}

export interface DigestInput {
  stack: string;
  version: string;
  /** The stack's config (its file with its record over it). */
  config: StackConfig;
  /** The services released. */
  services: readonly string[];
  /** The stage before, and the digests its release (record over file) holds; undefined on the first stage. */
  previous?: { stack: string; digests: Digests };
}

/** The digest of each service's image at the version, or an InputError naming what is missing or disagrees. Pure. */
export function promotionDigests(i: DigestInput): Record<string, string> {
  const { version: v, config: c, previous: prev } = i;
  const pinned = isDigestPinned(c.environment);
  const named = digestImageServices(c);
  const out: Record<string, string> = {};
  for (const s of [...new Set([...i.services, ...named])]) {
    const own = c.imageDigests[s as keyof StackConfig["imageDigests"]]?.[v];
    const recorded = prev?.digests[s]?.[v];
    if (own !== undefined && recorded !== undefined && own !== recorded)
      throw new InputError(
        `${i.stack}: slipway:imageDigests names ${own} for ${s} ${v}, but ${prev!.stack} ran ${recorded}: one build ` +
          `runs from stage to stage; remove ${s} ${v} from ${i.stack}'s slipway:imageDigests (or set ${recorded})`,
      );
    // A stage that runs tags may go on with its own digest when the stage before recorded none.
    const digest = prev === undefined ? own : (recorded ?? (pinned ? undefined : own));
    if (digest !== undefined) out[s] = digest;
    else if (prev !== undefined && (pinned || named.includes(s)))
      throw new InputError(
        `${i.stack} runs the digests ${prev.stack} recorded, but ${prev.stack} has no digest of ${s} ${v}: promote ` +
          `${v} on ${prev.stack} first, with its digests in the first stage's slipway:imageDigests`,
      );
    else if (named.includes(s))
      throw new InputError(
        `${i.stack}: a hook or gate image names ${s}@$digest, but no digest of ${s} ${v} is known: add it to ` +
          `slipway:imageDigests ({"${s}":{"${v}":"sha256:<64 hex digits>"}})`,
      );
  }
  return out;
}

/** The promotion's digests, reading the previous stage's release (its record over its file) through the state store. */
export async function readPromotionDigests(
  d: Deps,
  i: Omit<DigestInput, "previous">,
  previous: string | undefined,
): Promise<Record<string, string>> {
  if (previous === undefined) return promotionDigests(i);
  const prev = await readRelease(d.engine, d.state(previous), previous);
  return promotionDigests({ ...i, previous: { stack: previous, digests: prev.config.imageDigests } });
}
