// The program's side of the release record: stacks/config.ts merges the release over the stack file, so a plain
// `pulumi preview` or `pulumi up` sees the release the last runner shipped. The program is synchronous from its first
// line (it builds resources as it reads config), so this read is too: a file read for file://, a child process for
// s3:// (the SDK is asynchronous). The driver saves that cost where it can: it hands the release it holds the lock for
// to the update through SLIPWAY_RELEASE.
import { execFileSync } from "child_process";
import * as path from "path";
import { EngineError, InputError } from "../errors";
import { fileStackDir, parseBackend, stackDir } from "./backend";
import { readReleaseSync as readFileRelease } from "./file";
import type { Release, ReleaseRecord } from "./store";

/** The variable the driver passes the release of an update in (JSON of a Release). */
export const RELEASE_ENV = "SLIPWAY_RELEASE";

function readS3(url: string, project: string, stack: string): ReleaseRecord | undefined {
  const b = parseBackend(url);
  if (b.kind !== "s3") return undefined;
  const key = [b.prefix, ...stackDir(project, stack), "release.json"].filter((p) => p !== "").join("/");
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
    throw new EngineError(
      `reading the release record s3://${b.bucket}/${key} failed: ${why}; check the bucket, the region and the AWS credentials`,
    );
  }
  return text === "" ? undefined : (JSON.parse(text) as ReleaseRecord);
}

/**
 * The release the program builds: SLIPWAY_RELEASE when the driver set it, else the newest record in the backend named
 * by PULUMI_BACKEND_URL, else undefined (no record yet, or no backend: the stack file's release keys apply).
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
      throw new InputError(`${RELEASE_ENV} is not JSON; unset it (slipway sets it for the updates it runs)`);
    }
  }
  const url = env.PULUMI_BACKEND_URL;
  if (!url) return undefined;
  const b = parseBackend(url);
  const record =
    b.kind === "file" ? readFileRelease(fileStackDir(b.root, project, stack)) : readS3(url, project, stack);
  return record?.release;
}
