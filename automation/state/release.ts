// The release record as the driver uses it: read with the stack file under it (stacks/config.ts `withRelease`),
// created on first use from the deployed stack (a stack migrating from release keys in its file), and committed
// after the update that applied it, each write conditional on the version read.
import { ConfigError, parseStackConfig, releaseOf, StackConfig, withRelease } from "../../stacks/config";
import type { Engine } from "../deps";
import { InputError, LockedError } from "../errors";
import type { Release, StackState, Versioned } from "./store";

export interface StackRelease {
  readonly stack: string;
  /** The stack file's config (Pulumi's config of the stack), without the record. */
  readonly file: Record<string, string>;
  /** The record version everything below is based on; undefined only before a first commit on a stack never used. */
  readonly current: Versioned | undefined;
  /** The stack file with the release over it: what the program sees. */
  readonly raw: Record<string, string>;
  readonly config: StackConfig;
}

export interface Writer {
  id: string;
  command: string;
  now(): number;
  progress(line: string): void;
}

function parse(stack: string, raw: Record<string, string>): StackConfig {
  try {
    return parseStackConfig(stack, raw);
  } catch (err) {
    if (err instanceof ConfigError) throw new InputError(`${stack}: ${err.message.split("\n")[0]}`);
    throw err;
  }
}

function view(stack: string, file: Record<string, string>, current: Versioned | undefined): StackRelease {
  const raw = withRelease(file, current?.record.release);
  return { stack, file, current, raw, config: parse(stack, raw) };
}

interface ServiceOutput {
  stableVersion?: string;
  canaryVersion?: string;
  canaryWeight?: number;
}

/** The release a deployed stack runs, from its `services` output; undefined when it was never deployed. */
export function deployedRelease(outputs: Record<string, unknown>, fallback: Release): Release | undefined {
  const svc = outputs.services as Record<string, ServiceOutput> | undefined;
  if (svc === undefined || typeof svc !== "object" || Object.keys(svc).length === 0) return undefined;
  const canaried = Object.entries(svc).filter(([, o]) => (o.canaryVersion ?? "") !== "");
  const stable = Object.values(svc).every((o) => o.stableVersion === fallback.stableVersion)
    ? fallback.stableVersion
    : undefined;
  const stableVersion = stable ?? mostCommon(Object.values(svc).map((o) => o.stableVersion ?? fallback.stableVersion));
  return {
    stableVersion,
    serviceVersions: Object.fromEntries(
      Object.entries(svc)
        .filter(([, o]) => o.stableVersion !== stableVersion)
        .map(([s, o]) => [s, o.stableVersion as string]),
    ),
    canaryVersion: canaried[0]?.[1].canaryVersion ?? "",
    canaryWeight: canaried[0]?.[1].canaryWeight ?? 0,
    canaryServices: canaried.length > 0 ? canaried.map(([s]) => s) : fallback.canaryServices,
  };
}

function mostCommon(values: string[]): string {
  const n = new Map<string, number>();
  for (const v of values) n.set(v, (n.get(v) ?? 0) + 1);
  return [...n.entries()].sort((a, b) => b[1] - a[1])[0][0];
}

/** Reads the stack's release without writing anything (status, the previous stage). */
export async function readRelease(engine: Engine, state: StackState, stack: string): Promise<StackRelease> {
  const [file, current] = await Promise.all([engine.getConfig(stack), state.readRelease()]);
  return view(stack, file, current);
}

/**
 * Reads the stack's release; a stack without a record gets one now (version 1), from the deployed stack's outputs,
 * else from its file. The create is conditional, so a second runner migrating at the same time loses and re-reads.
 */
export async function openRelease(engine: Engine, state: StackState, stack: string, w: Writer): Promise<StackRelease> {
  const r = await readRelease(engine, state, stack);
  if (r.current !== undefined) return r;
  const fromFile = releaseOf(r.config.release);
  const deployed = deployedRelease(await engine.outputs(stack), fromFile);
  const release = deployed ?? fromFile;
  let created: StackRelease;
  try {
    created = await commitRelease(state, r, release, w);
  } catch (err) {
    // Another runner created it between the read and this write: take theirs.
    if (err instanceof LockedError) return readRelease(engine, state, stack);
    throw err;
  }
  w.progress(
    `${stack}: no release record yet; created ${state.location} version 1 from the ${deployed ? "deployed stack" : "stack file"} (stable ${release.stableVersion}); from now on the record, not the stack file, holds the release`,
  );
  return created;
}

/** Writes the next record version over `from`; throws LockedError (nothing written) when another writer was first. */
export async function commitRelease(
  state: StackState,
  from: StackRelease,
  release: Release,
  w: Writer,
): Promise<StackRelease> {
  const seq = (from.current?.record.seq ?? 0) + 1;
  const next = await state.writeRelease(
    {
      seq,
      stack: from.stack,
      updatedAt: new Date(w.now()).toISOString(),
      writtenBy: w.id,
      command: w.command,
      release,
    },
    from.current,
  );
  return view(from.stack, from.file, next);
}

/** The release `values` (full release keys, as release/values.ts builds them) make of `from`, validated. */
export function releaseAfter(from: StackRelease, values: Record<string, string>): Release {
  const release = releaseOf(parse(from.stack, { ...from.raw, ...values }).release);
  // The digests the record keeps stay with every later version of it.
  const digests = from.current?.record.release.imageDigests;
  return digests === undefined ? release : { ...release, imageDigests: digests };
}
