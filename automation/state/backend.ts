// The one place that turns PULUMI_BACKEND_URL into where a stack's slipway state lives and which store keeps it:
// file:// -> <root>/.slipway/<project>/<stack>/ (./file.ts), s3:// -> the same path under the bucket prefix (./s3.ts).
// The layout itself is contract/store.ts, which the program (stacks/release.ts) reads too, so the driver
// (automation/cli/main.ts), the engine adapter (Pulumi's own lock files) and the program never disagree about it.
import * as path from "path";
import {
  BackendUrlError,
  fileStackDir,
  parseBackend as parseBackendUrl,
  stackDir,
  type Backend,
} from "../../contract/store";
import { EngineError, InputError } from "../errors";
import { FileStackState } from "./file";
import { DEFAULT_LEASE_MS, parseLease, S3StackState, s3ClientFactory } from "./s3";
import type { StackState } from "./store";

export { fileStackDir, stackDir };
export type { Backend };

/** `file://~/x`, `file:///abs` and `s3://bucket/prefix?...`; other schemes are refused by name rather than faked locally. */
export function parseBackend(url: string): Backend {
  try {
    return parseBackendUrl(url);
  } catch (err) {
    if (!(err instanceof BackendUrlError)) throw err;
    throw err.reason === "input" ? new InputError(err.message) : new EngineError(err.message);
  }
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
