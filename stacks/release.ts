// The program's one read of its release: the config merges it over the stack file, so a plain `pulumi preview` or
// `pulumi up` sees the release the last runner shipped. The program is synchronous from its first line (it builds
// resources as it reads config), so this read is too: a file read for file://, a child process (./s3get.js) for
// s3:// (the SDK is asynchronous). The driver saves that cost where it can: it hands the release it holds the lock
// for to the update through SLIPWAY_RELEASE. The store's layout is the contract's (contract/store.ts).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
  fileStackDir,
  isStoreUrl,
  newestReleaseSeq,
  parseBackend,
  RELEASE_ENV,
  releaseFile,
  s3ReleaseKey,
  type Release,
  type ReleaseRecord,
  type S3Backend,
} from "../contract/store";

/** The release record could not be read; the message names the record and what to check. */
export class ReleaseReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReleaseReadError";
  }
}

/** The newest release record of a file store's stack directory, or undefined when none was written yet. */
export function readFileRelease(dir: string): ReleaseRecord | undefined {
  let names: string[];
  try {
    names = fs.readdirSync(path.join(dir, "release"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const seq = newestReleaseSeq(names);
  if (seq === undefined) return undefined;
  const file = releaseFile(dir, seq);
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as ReleaseRecord;
  } catch {
    throw new ReleaseReadError(
      `the release record ${file} is unreadable; restore it from the journal (slipway history) or delete it to start again from the stack file`,
    );
  }
}

/** The release record of an S3 store, read in a child process; undefined when the object does not exist. */
export function readS3Release(b: S3Backend, project: string, stack: string): ReleaseRecord | undefined {
  const key = s3ReleaseKey(b.prefix, project, stack);
  const input = JSON.stringify({
    bucket: b.bucket,
    key,
    region: b.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION,
    endpoint: b.endpoint,
    forcePathStyle: b.forcePathStyle,
    profile: b.profile,
  });
  let text: string;
  try {
    text = execFileSync(process.execPath, [path.join(__dirname, "s3get.js")], {
      input,
      encoding: "utf8",
      timeout: 60_000,
      stdio: ["pipe", "pipe", "pipe"],
    });
  } catch (err) {
    const why = String((err as { stderr?: string }).stderr ?? (err as Error).message).trim();
    throw new ReleaseReadError(
      `reading the release record s3://${b.bucket}/${key} failed: ${why}; check the bucket, the region and the AWS credentials`,
    );
  }
  return text === "" ? undefined : (JSON.parse(text) as ReleaseRecord);
}

/** The store the program reads its release from: SLIPWAY_STATE_URL, else PULUMI_BACKEND_URL, when file:// or s3://. */
export function storeUrl(env: NodeJS.ProcessEnv): string | undefined {
  const url = env.SLIPWAY_STATE_URL || env.PULUMI_BACKEND_URL;
  return url && isStoreUrl(url) ? url : undefined;
}

/**
 * The release the program builds: SLIPWAY_RELEASE when the driver set it, else the newest record in the store named
 * by SLIPWAY_STATE_URL or PULUMI_BACKEND_URL, else undefined (no record yet, or no store: the stack file's release
 * keys apply).
 */
export function programRelease(
  project: string,
  stack: string,
  env: NodeJS.ProcessEnv = process.env,
): Release | undefined {
  const given = env[RELEASE_ENV];
  if (given) {
    try {
      return JSON.parse(given) as Release;
    } catch {
      throw new ReleaseReadError(`${RELEASE_ENV} is not JSON; unset it (slipway sets it for the updates it runs)`);
    }
  }
  const url = storeUrl(env);
  if (url === undefined) return undefined;
  const b = parseBackend(url);
  const record =
    b.kind === "file" ? readFileRelease(fileStackDir(b.root, project, stack)) : readS3Release(b, project, stack);
  return record?.release;
}

/**
 * True when an engine runs the program (the language host, or the driver's program server): its resource monitor is
 * a real one. Under the unit tests' mocks the monitor is the SDK's mock, and without a monitor there is no engine.
 */
export function runByEngine(): boolean {
  // Required lazily: the driver imports this module without the Pulumi runtime.
  const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
  const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks") as typeof import("@pulumi/pulumi/runtime/mocks");
  const monitor: unknown = pulumi.runtime.getMonitor();
  return monitor !== undefined && !(monitor instanceof MockMonitor);
}
