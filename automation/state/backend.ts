// The one place that turns PULUMI_BACKEND_URL into where a stack's slipway state lives and which store keeps it:
// file:// -> <root>/.slipway/<project>/<stack>/ (./file.ts), s3:// -> the same path under the bucket prefix (./s3.ts).
// The driver (automation/cli/main.ts), the engine adapter (Pulumi's own lock files) and the program
// (stacks/config.ts, through ./program.ts) all ask here, so they can never disagree about the file:// root.
import * as os from "os";
import * as path from "path";
import { EngineError } from "../errors";
import { FileStackState } from "./file";
import { DEFAULT_LEASE_MS, parseLease, parseS3Backend, S3Backend, S3StackState, s3ClientFactory } from "./s3";
import type { StackState } from "./store";

export type Backend = { kind: "file"; url: string; root: string } | ({ kind: "s3" } & S3Backend);

/** `file://~/x`, `file:///abs` and `s3://bucket/prefix?...`; other schemes are refused by name rather than faked locally. */
export function parseBackend(url: string): Backend {
  if (url.startsWith("s3://")) return { kind: "s3", ...parseS3Backend(url) };
  if (url.startsWith("file://"))
    return { kind: "file", url, root: url.slice("file://".length).replace(/^~(?=\/|$)/, os.homedir()) };
  const scheme = url.split("://")[0] || url;
  throw new EngineError(
    `the journal, lock and release record are not supported yet on the ${scheme} backend (${url}); ` +
      "run promotions against a file:// or s3:// backend until the store for it lands",
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

/** Pulumi's own locks directory in a file backend (<root>/.pulumi/locks), or undefined for other backends. */
export function pulumiLocksDir(url: string | undefined): string | undefined {
  if (!url?.startsWith("file://")) return undefined;
  const b = parseBackend(url);
  return b.kind === "file" ? path.join(b.root, ".pulumi", "locks") : undefined;
}

/** The store for a backend URL. SLIPWAY_LOCK_LEASE (e.g. "10m") sets the S3 lock lease. */
export function stateStoreFor(
  backendUrl: string,
  project: string,
  hostname: string,
  env: NodeJS.ProcessEnv = process.env,
): (stack: string) => StackState {
  let b: Backend;
  try {
    b = parseBackend(backendUrl);
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    return () => {
      throw err;
    };
  }
  if (b.kind === "file") return (stack) => new FileStackState(fileStackDir(b.root, project, stack), hostname);
  const leaseMs = env.SLIPWAY_LOCK_LEASE ? parseLease(env.SLIPWAY_LOCK_LEASE) : DEFAULT_LEASE_MS;
  const client = s3ClientFactory(b);
  return (stack) => new S3StackState(b, stackDir(project, stack).join("/"), hostname, { leaseMs, client });
}
