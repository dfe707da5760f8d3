// The store contract: what the program (stacks/release.ts) and the driver (automation/state/) must agree on about
// where a stack's slipway state lives and what its release record holds. A backend URL (file:// or s3://) names the
// store; a stack's state sits at <root or bucket prefix>/.slipway/<project>/<stack>/, its release record under
// release/ (file: one <seq>.json per version; S3: one release.json object). Pure: no Pulumi runtime, no I/O.
import * as os from "os";
import * as path from "path";

/** The variable the driver passes the release of an update in (JSON of a Release). */
export const RELEASE_ENV = "SLIPWAY_RELEASE";

/** The release of a stack: what the five release keys say, every field present. */
export interface Release {
  stableVersion: string;
  /** Services whose stable version differs from stableVersion. */
  serviceVersions: Record<string, string>;
  /** "" when no canary runs. */
  canaryVersion: string;
  canaryWeight: number;
  canaryServices: string[];
  /** A canary version rolled back and never served; its Deployments wait at zero replicas for the next promotion. Absent = none. */
  rolledBackVersion?: string;
  /**
   * The primary database as restored from the snapshot taken before `release` (`slipway rollback --restore-database`):
   * a new instance the services connect to; the instance it replaces is kept. Absent = none. Kept by every later
   * release, so the restored instance stays.
   */
  restoreFrom?: RestoreFrom;
  /**
   * The digest of each image the release runs, per service and version (`sha256:<64 hex>`), as the promotion that
   * released the version took it: on the first stage from its `slipway:imageDigests`, on every later stage from the
   * record of the stage before. Merged over the stack file's `slipway:imageDigests`. Absent = none recorded.
   */
  imageDigests?: Record<string, Record<string, string>>;
}

/** A database restore: the RDS snapshot and the release it was taken before. */
export interface RestoreFrom {
  snapshotId: string;
  release: string;
}

/** One version of the release record. `seq` starts at 1 and grows by one per write. */
export interface ReleaseRecord {
  seq: number;
  stack: string;
  updatedAt: string;
  /** The promotion or command id that wrote it, and the command. */
  writtenBy: string;
  command: string;
  release: Release;
  /**
   * Where the journal stood when this version was written (absent on versions written before): `audit verify` finds
   * a journal cut short or deleted behind it.
   */
  journal?: JournalMark;
}

/** The journal's length (entries stored, chained or not) and the hash of its last entry, at one moment. */
export interface JournalMark {
  entries: number;
  head?: string;
}

/**
 * A backend URL that names no store: `input` when the URL itself is bad (a fix is named), `unsupported` when its
 * scheme has no store. The driver turns it into its own error classes (automation/state/backend.ts).
 */
export class BackendUrlError extends Error {
  constructor(
    message: string,
    readonly reason: "input" | "unsupported",
  ) {
    super(message);
    this.name = "BackendUrlError";
  }
}

/** Where an S3 store lives and how to reach it, parsed from PULUMI_BACKEND_URL. */
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

export type Backend = { kind: "file"; url: string; root: string } | ({ kind: "s3" } & S3Backend);

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
  throw new BackendUrlError(`PULUMI_BACKEND_URL ${url}: ${why}`, "input");
}

function flag(url: string, name: string, value: string): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  return refuse(url, `${name}=${value} is not allowed; set ${name}=true or ${name}=false`);
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

/** The query options of an S3 backend URL, applied to `out`; refuses what the journal cannot honour. */
function applyS3Options(url: string, query: string | undefined, out: S3Backend): void {
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
}

/** Parses `s3://bucket[/prefix][?region=..&endpoint=..&s3ForcePathStyle=true&profile=..]`, refusing what S3 would not take. */
export function parseS3Url(url: string): S3Backend {
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
  applyS3Options(url, query, out);
  return out;
}

/** True when `url` names a store slipway keeps state in (file:// or s3://). */
export function isStoreUrl(url: string): boolean {
  return url.startsWith("file://") || url.startsWith("s3://");
}

/** `file://~/x`, `file:///abs` and `s3://bucket/prefix?...`; other schemes are refused by name rather than faked locally. */
export function parseBackend(url: string): Backend {
  if (url.startsWith("s3://")) return { kind: "s3", ...parseS3Url(url) };
  if (url.startsWith("file://"))
    return { kind: "file", url, root: url.slice("file://".length).replace(/^~(?=\/|$)/, os.homedir()) };
  const scheme = url.split("://")[0] || url;
  throw new BackendUrlError(
    `the journal, lock and release record are not supported yet on the ${scheme} backend (${url}); ` +
      "run promotions against a file:// or s3:// backend until the store for it lands",
    "unsupported",
  );
}

/** <project>/<stack> under `.slipway/`; an org-qualified stack (`org/project/stack`) keeps its segments. */
export function stackDir(project: string, stack: string): string[] {
  return [".slipway", project, ...stack.split("/")];
}

/** Directory of the file store of a stack. */
export function fileStackDir(root: string, project: string, stack: string): string {
  return path.join(root, ...stackDir(project, stack));
}

/** The key of a stack's release record in an S3 store. */
export function s3ReleaseKey(prefix: string, project: string, stack: string): string {
  return [prefix, ...stackDir(project, stack), "release.json"].filter((p) => p !== "").join("/");
}

const SEQ_WIDTH = 10;
export const SEQ_FILE = /^(\d+)\.json$/;

/** The file of version `seq` of the release record in a file store's stack directory. */
export function releaseFile(dir: string, seq: number): string {
  return path.join(dir, "release", `${String(seq).padStart(SEQ_WIDTH, "0")}.json`);
}

/** The newest version among the names of a file store's release/ directory; undefined when there is none. */
export function newestReleaseSeq(names: string[]): number | undefined {
  const seqs = names
    .map((n) => SEQ_FILE.exec(n)?.[1])
    .filter((s): s is string => s !== undefined)
    .map(Number);
  return seqs.length === 0 ? undefined : Math.max(...seqs);
}
