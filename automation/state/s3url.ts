// The S3 backend URL as the journal reads it (`s3://bucket[/prefix]?region=..&endpoint=..`), the lock lease and the
// client built from them. The SDK is loaded on first use only, so file backends never pay for it.
import type { S3Client } from "@aws-sdk/client-s3";
import { parseDuration } from "../../contract/release";
import { BackendUrlError, parseS3Url, type S3Backend } from "../../contract/store";
import { InputError } from "../errors";

export type { S3Backend };

/** Parses `s3://bucket[/prefix][?region=..&endpoint=..&s3ForcePathStyle=true&profile=..]` (contract/store.ts). */
export function parseS3Backend(url: string): S3Backend {
  try {
    return parseS3Url(url);
  } catch (err) {
    throw err instanceof BackendUrlError ? new InputError(err.message) : err;
  }
}

/** "10m", "90s", "1h" -> milliseconds; the lease a lock holder must renew within. */
export function parseLease(text: string): number {
  const ms = parseDuration(text) ?? NaN;
  if (!(ms >= 30_000))
    throw new InputError(`SLIPWAY_LOCK_LEASE=${text} is not allowed; set a duration of at least 30s, e.g. 10m`);
  return ms;
}

export const DEFAULT_LEASE_MS = 10 * 60_000;

/** One client per backend URL and process, built on first use (lazy SDK import). */
export function s3ClientFactory(b: S3Backend): () => Promise<S3Client> {
  let client: Promise<S3Client> | undefined;
  return () =>
    (client ??= import("@aws-sdk/client-s3").then(
      (sdk) =>
        new sdk.S3Client({
          region: b.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION,
          endpoint: b.endpoint,
          forcePathStyle: b.forcePathStyle,
          profile: b.profile,
        }),
    ));
}
