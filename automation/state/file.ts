// The file store (`file://` backends): a directory beside Pulumi's own `.pulumi/`, holding journal.jsonl
// (./filejournal.ts), the lock (./filelock.ts) and release/<seq>.json, one file per version of the release record.
// What is read back is checked by ./schema.ts: a corrupt file is refused by name, never skipped or guessed around.
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { LockedError } from "../errors";
import type { StoredRecord } from "./chain";
import { FileJournal } from "./filejournal";
import { FileLock } from "./filelock";
import { nextRecordSeq, notAFile, parseAbort, parseRecord, RECORD_FIX } from "./schema";
import { pidAlive, recordRaceMessage } from "./store";
import type { AbortRequest, JournalEntry, LockHolder, ReleaseRecord, StackState, Versioned } from "./store";
import { releaseFile, SEQ_FILE } from "../../contract/store";

export { releaseFile };

function seqsOf(names: string[]): number[] {
  return names
    .map((n) => SEQ_FILE.exec(n)?.[1])
    .filter((s): s is string => s !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

function readSync(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EISDIR") throw notAFile(file, "the release record", RECORD_FIX);
    throw err;
  }
}

function recordSeqs(dir: string): number[] {
  try {
    return seqsOf(fs.readdirSync(path.join(dir, "release")));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return [];
    if (code === "ENOTDIR") throw notAFile(path.join(dir, "release"), "the release record directory", RECORD_FIX);
    throw err;
  }
}

function readVersion(dir: string, seq: number): ReleaseRecord {
  return parseRecord(releaseFile(dir, seq), readSync(releaseFile(dir, seq)), seq);
}

/** The newest release record under `dir`, read synchronously: the program reads it while it starts (stacks/config.ts). */
export function readReleaseSync(dir: string): ReleaseRecord | undefined {
  const seq = recordSeqs(dir).at(-1);
  return seq === undefined ? undefined : readVersion(dir, seq);
}

export class FileStackState implements StackState {
  readonly location: string;
  private readonly journal: FileJournal;
  private readonly lock: FileLock;
  private readonly abortFile: string;
  /** The fencing token and promotion of the lock this store object holds, checked before each write. */
  private held: { token: number; promotionId: string } | undefined;

  constructor(
    dir: string,
    hostname: string,
    alive = pidAlive,
    warn: (message: string) => void = (m) => process.stderr.write(`slipway: ${m}\n`),
  ) {
    this.location = dir;
    this.journal = new FileJournal(path.join(dir, "journal.jsonl"), warn);
    this.lock = new FileLock(dir, hostname, alive);
    this.abortFile = path.join(dir, "abort-request.json");
  }

  private async fence(): Promise<void> {
    if (this.held) await this.lock.check(this.held.token, this.held.promotionId);
  }

  async append(entry: JournalEntry): Promise<void> {
    await this.fence();
    await this.journal.append(entry);
  }

  records(): Promise<StoredRecord[]> {
    return this.journal.records();
  }

  read(): Promise<JournalEntry[]> {
    return this.journal.read();
  }

  async requestAbort(r: AbortRequest): Promise<void> {
    await fs.promises.mkdir(this.location, { recursive: true });
    // Written beside, then renamed over: a reader sees the old request or the new one, never half of one.
    const tmp = `${this.abortFile}.${process.pid}`;
    await fs.promises.writeFile(tmp, JSON.stringify(r));
    await fs.promises.rename(tmp, this.abortFile);
  }

  async abortRequest(): Promise<AbortRequest | undefined> {
    const text = await fs.promises.readFile(this.abortFile, "utf8").catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return undefined;
      if (err.code === "EISDIR") throw notAFile(this.abortFile, "the abort request", "remove it");
      throw err;
    });
    return text === undefined ? undefined : parseAbort(text);
  }

  holder(): Promise<LockHolder | undefined> {
    return this.lock.holder();
  }

  async acquire(holder: LockHolder, onStale: (stale: LockHolder) => void): Promise<() => Promise<void>> {
    const { token, release } = await this.lock.acquire(holder, onStale);
    this.held = { token, promotionId: holder.promotionId };
    return async () => {
      this.held = undefined;
      await release();
    };
  }

  async readRelease(): Promise<Versioned | undefined> {
    const record = readReleaseSync(this.location);
    return record === undefined ? undefined : { record };
  }

  async releaseHistory(): Promise<ReleaseRecord[]> {
    return recordSeqs(this.location).map((seq) => readVersion(this.location, seq));
  }

  // The conditional write: the next version is written whole to a temporary file, then linked to release/<seq>.json.
  // link(2) fails with EEXIST when that name exists, so of two writers quoting the same previous version exactly one
  // creates it, and a reader never sees half a record (a rename would silently replace the winner's).
  async writeRelease(record: ReleaseRecord, previous: Versioned | undefined): Promise<Versioned> {
    const seq = nextRecordSeq(record, previous);
    await this.fence();
    const marked: ReleaseRecord = { ...record, journal: record.journal ?? (await this.journal.mark()) };
    const target = releaseFile(this.location, seq);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    const tmp = path.join(path.dirname(target), `.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
    await fs.promises.writeFile(tmp, `${JSON.stringify(marked, null, 2)}\n`);
    try {
      await fs.promises.link(tmp, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST")
        throw new LockedError(recordRaceMessage(this.location, seq));
      throw err;
    } finally {
      await fs.promises.rm(tmp, { force: true });
    }
    return { record: marked };
  }
}
