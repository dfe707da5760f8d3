// The journal and the lock of a stack, kept with the stack's state in its backend (DESIGN.md data flow 4) so the
// next CI runner sees what the last one did: <backend root>/.slipway/<project>/<stack>/ (file:// here, s3:// in
// automation/s3journal.ts).
import * as fs from "fs";
import * as path from "path";
import { EngineError, LockedError } from "../errors";
import { DEFAULT_LEASE_MS, parseLease, parseS3Backend, S3StackState, s3ClientFactory } from "./s3";
import type { Verdict } from "../types";
import type { Evidence } from "../release/evidence";
import { seal, StoredRecord } from "./chain";

export type JournalAction =
  | "promote" | "step" | "finalize" | "rollback" | "skip-canary" | "update" | "recover" | "abort" | "remediate";
export type JournalStatus = "completed" | "rolled-back" | "failed" | "recovered: rolled back" | "resumed";

/** One line of journal.jsonl. `intent` is written before an update, `outcome` after it. */
export interface JournalEntry {
  at: string;
  promotionId: string;
  stack: string;
  event: "start" | "intent" | "outcome" | "end" | "genesis";
  action: JournalAction;
  version?: string;
  stableVersion?: string;
  steps?: number[];
  step?: number;
  weight?: number;
  services?: string[];
  approvedBy?: string;
  reason?: string;
  verdicts?: Verdict[];
  targeted?: boolean;
  ok?: boolean;
  status?: JournalStatus;
  detail?: string;
  durationMs?: number;
  host?: string;
  pid?: number;
  /** Change evidence: approval, break-glass, origin, preview summary, engine updates (automation/release/evidence.ts). */
  evidence?: Evidence;
}

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  promotionId: string;
  command: string;
}

export interface StackState {
  /** Where the journal lives, for messages and docs. */
  readonly location: string;
  append(entry: JournalEntry): Promise<void>;
  read(): Promise<JournalEntry[]>;
  /** Every stored record as written, unparsed, in journal order: what `slipway audit verify` checks. */
  records(): Promise<StoredRecord[]>;
  /** Takes the lock or throws LockedError; resolves to the release function. */
  acquire(holder: LockHolder, onStale: (stale: LockHolder) => void): Promise<() => Promise<void>>;
  holder(): Promise<LockHolder | undefined>;
}

/** `process.kill(pid, 0)` probes without signalling: ESRCH means the process is gone. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function describeHolder(h: LockHolder): string {
  return `${h.command} ${h.promotionId} (pid ${h.pid} on ${h.host}, since ${h.startedAt})`;
}

export class FileStackState implements StackState {
  readonly location: string;
  private readonly journal: string;
  private readonly lock: string;

  constructor(dir: string, private readonly hostname: string, private readonly alive = pidAlive) {
    this.location = dir;
    this.journal = path.join(dir, "journal.jsonl");
    this.lock = path.join(dir, "lock");
  }

  async append(entry: JournalEntry): Promise<void> {
    await fs.promises.mkdir(this.location, { recursive: true });
    const texts = (await this.records()).map((r) => r.text);
    const lines = (await seal(entry, texts.at(-1), async () => texts)).map((r) => `${JSON.stringify(r)}\n`).join("");
    // One write with O_APPEND: concurrent readers never see half an entry on a local file system.
    await fs.promises.appendFile(this.journal, lines, { flag: "a" });
  }

  async records(): Promise<StoredRecord[]> {
    const text = await fs.promises.readFile(this.journal, "utf8").catch((err: NodeJS.ErrnoException) => (err.code === "ENOENT" ? "" : Promise.reject(err)));
    return text.split("\n").flatMap((line, i) => (line.trim() === "" ? [] : [{ ref: `journal.jsonl:${i + 1}`, text: line }]));
  }

  async read(): Promise<JournalEntry[]> {
    let text: string;
    try {
      text = await fs.promises.readFile(this.journal, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    // A driver killed mid-write can leave a torn last line: skip it rather than refuse the whole journal.
    return text.split("\n").filter((l) => l.trim() !== "").flatMap((l) => {
      try {
        return [JSON.parse(l) as JournalEntry];
      } catch {
        return [];
      }
    });
  }

  async holder(): Promise<LockHolder | undefined> {
    try {
      return JSON.parse(await fs.promises.readFile(this.lock, "utf8")) as LockHolder;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      if (err instanceof SyntaxError) {
        throw new EngineError(`the lock file ${this.lock} is unreadable; if no promotion runs, delete it`);
      }
      throw err;
    }
  }

  async acquire(holder: LockHolder, onStale: (stale: LockHolder) => void): Promise<() => Promise<void>> {
    await fs.promises.mkdir(this.location, { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = await fs.promises.open(this.lock, "wx");
        await fd.writeFile(JSON.stringify(holder));
        await fd.close();
        return async () => {
          await fs.promises.rm(this.lock, { force: true });
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      const current = await this.holder();
      if (current === undefined) continue;
      if (current.host !== this.hostname || this.alive(current.pid)) {
        throw new LockedError(
          `stack ${path.basename(this.location)} is locked by ${describeHolder(current)}; wait for it to finish ` +
            `(if that process is gone on another host, delete ${this.lock})`,
          { holder: current },
        );
      }
      onStale(current);
      await fs.promises.rm(this.lock, { force: true });
    }
    throw new LockedError(`stack ${path.basename(this.location)}: another process took the lock first; try again`);
  }
}

/**
 * Journal + lock store for a backend URL: the one place that chooses it. `file://` keeps both in a directory beside
 * the state, `s3://` in the bucket beside Pulumi's `.pulumi/` (see automation/s3journal.ts); other schemes are
 * refused by name rather than faked locally. SLIPWAY_LOCK_LEASE (e.g. "10m") sets the S3 lock lease.
 */
export function stateStoreFor(
  backendUrl: string,
  project: string,
  hostname: string,
  env: NodeJS.ProcessEnv = process.env,
): (stack: string) => StackState {
  const stackDir = (stack: string) => [".slipway", project, ...stack.split("/")];
  if (backendUrl.startsWith("s3://")) {
    const backend = parseS3Backend(backendUrl);
    const leaseMs = env.SLIPWAY_LOCK_LEASE ? parseLease(env.SLIPWAY_LOCK_LEASE) : DEFAULT_LEASE_MS;
    const client = s3ClientFactory(backend);
    return (stack) => new S3StackState(backend, stackDir(stack).join("/"), hostname, { leaseMs, client });
  }
  if (!backendUrl.startsWith("file://")) {
    const scheme = backendUrl.split("://")[0] || backendUrl;
    return () => {
      throw new EngineError(
        `the journal and lock are not supported yet on the ${scheme} backend (${backendUrl}); ` +
          "run promotions against a file:// or s3:// backend until the store for it lands",
      );
    };
  }
  const root = backendUrl.slice("file://".length).replace(/^~(?=\/)/, process.env.HOME ?? "~");
  return (stack) => new FileStackState(path.join(root, ...stackDir(stack)), hostname);
}
