// The S3 backend URL as the journal reads it (`s3://bucket[/prefix]?region=..&endpoint=..`), the lock lease and the
// client built from them. The SDK is loaded on first use only, so file backends never pay for it.
import type { S3Client } from "@aws-sdk/client-s3";
import { parseDuration } from "../../contract/release";
import { InputError } from "../errors";

/** Where the store lives and how to reach it, parsed from PULUMI_BACKEND_URL. */
export interface S3Backend {
  url: string;
  bucket: string;
  /** Key prefix without leading or trailing slash; "" for the bucket root. */
  prefix: string;
  region?: string;
  /** Full URL of an S3-compatible endpoint (MinIO, a test server). */
  endpoint?: string;
  forcePathStyle: boolean;
  profile?: string;
}

/** Query options the engine's blob opener understands that do not change where or how the journal is reached. */
const ENGINE_ONLY_OPTIONS = new Set([
  "awssdk",
  "dualstack",
  "use_dualstack",
  "fips",
  "use_fips",
  "accelerate",
  "anonymous",
  "requester_pays",
  "rate_limiter_capacity",
  "sse_type",
  "kmskeyid",
  "hostname_immutable",
]);
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function refuse(url: string, why: string): never {
  throw new InputError(`PULUMI_BACKEND_URL ${url}: ${why}`);
}

function flag(url: string, name: string, value: string): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  return refuse(url, `${name}=${value} is not allowed; set ${name}=true or ${name}=false`);
}

/** Parses `s3://bucket[/prefix][?region=..&endpoint=..&s3ForcePathStyle=true&profile=..]`, refusing what S3 would not take. */
export function parseS3Backend(url: string): S3Backend {
  const m = /^s3:\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?$/.exec(url);
  if (!m) refuse(url, "not an S3 backend URL; use s3://<bucket>[/<prefix>][?region=<region>]");
  const [, bucket, rawPrefix, query] = m;
  if (bucket === "") refuse(url, "names no bucket; use s3://<bucket>[/<prefix>]");
  if (!BUCKET.test(bucket) || bucket.includes("..")) {
    refuse(url, `"${bucket}" is not a valid bucket name (3-63 characters: lower-case letters, digits, dots, hyphens)`);
  }
  const prefix = decodeURIComponent(rawPrefix).replace(/^\/+|\/+$/g, "");
  if (prefix !== "" && prefix.split("/").some((part) => part === "" || part === "." || part === "..")) {
    refuse(url, `the prefix "${prefix}" has an empty, "." or ".." segment; use s3://<bucket>/<dir>[/<dir>...]`);
  }
  const out: S3Backend = { url, bucket, prefix, forcePathStyle: false };
  let plainHttp = false;
  for (const [name, value] of new URLSearchParams(query ?? "")) {
    switch (name) {
      case "region":
        if (!/^[a-z0-9-]+$/.test(value)) refuse(url, `region=${value} is not a region name; use e.g. region=eu-west-1`);
        out.region = value;
        break;
      case "endpoint":
        out.endpoint = value;
        break;
      case "s3ForcePathStyle":
      case "use_path_style":
        out.forcePathStyle = flag(url, name, value);
        break;
      case "disableSSL":
      case "disable_https":
        plainHttp = flag(url, name, value);
        break;
      case "profile":
        out.profile = value;
        break;
      default:
        if (!ENGINE_ONLY_OPTIONS.has(name)) {
          refuse(
            url,
            `unknown option "${name}"; the journal honours region, endpoint, s3ForcePathStyle, disableSSL and profile`,
          );
        }
    }
  }
  if (out.endpoint !== undefined) out.endpoint = endpointUrl(url, out.endpoint, plainHttp);
  return out;
}

function endpointUrl(url: string, endpoint: string, plainHttp: boolean): string {
  const full = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `${plainHttp ? "http" : "https"}://${endpoint}`;
  let parsed: URL;
  try {
    parsed = new URL(full);
  } catch {
    return refuse(url, `endpoint=${endpoint} is not a URL; use e.g. endpoint=https://s3.example.internal:9000`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    refuse(url, `endpoint=${endpoint} must be an http or https URL`);
  }
  return full;
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
