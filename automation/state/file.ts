// The file store (`file://` backends): a directory beside Pulumi's own `.pulumi/`, holding journal.jsonl, the lock
// file and release/<seq>.json, one file per version of the release record.
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { EngineError, LockedError } from "../errors";
import { describeHolder, pidAlive, recordRaceMessage } from "./store";
import type { AbortRequest, JournalEntry, LockHolder, ReleaseRecord, StackState, Versioned } from "./store";
import { seal, StoredRecord } from "./chain";
import { newestReleaseSeq, releaseFile } from "../../contract/store";

export { releaseFile };

function parseRecord(file: string, text: string): ReleaseRecord {
  try {
    return JSON.parse(text) as ReleaseRecord;
  } catch {
    throw new EngineError(
      `the release record ${file} is unreadable; restore it from the journal (slipway history) or delete it to start again from the stack file`,
    );
  }
}

/** The newest release record under `dir`, read synchronously. */
export function readReleaseSync(dir: string): ReleaseRecord | undefined {
  let names: string[];
  try {
    names = fs.readdirSync(path.join(dir, "release"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const seq = newestReleaseSeq(names);
  return seq === undefined
    ? undefined
    : parseRecord(releaseFile(dir, seq), fs.readFileSync(releaseFile(dir, seq), "utf8"));
}

export class FileStackState implements StackState {
  readonly location: string;
  private readonly journal: string;
  private readonly lock: string;
  private readonly abortFile: string;

  constructor(
    dir: string,
    private readonly hostname: string,
    private readonly alive = pidAlive,
  ) {
    this.location = dir;
    this.journal = path.join(dir, "journal.jsonl");
    this.lock = path.join(dir, "lock");
    this.abortFile = path.join(dir, "abort-request.json");
  }

  async append(entry: JournalEntry): Promise<void> {
    await fs.promises.mkdir(this.location, { recursive: true });
    const texts = (await this.records()).map((r) => r.text);
    const lines = (await seal(entry, texts.at(-1), async () => texts)).map((r) => `${JSON.stringify(r)}\n`).join("");
    // One write with O_APPEND: concurrent readers never see half an entry on a local file system.
    await fs.promises.appendFile(this.journal, lines, { flag: "a" });
  }

  async records(): Promise<StoredRecord[]> {
    const text = await fs.promises
      .readFile(this.journal, "utf8")
      .catch((err: NodeJS.ErrnoException) => (err.code === "ENOENT" ? "" : Promise.reject(err)));
    return text
      .split("\n")
      .flatMap((line, i) => (line.trim() === "" ? [] : [{ ref: `journal.jsonl:${i + 1}`, text: line }]));
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
    return text
      .split("\n")
      .filter((l) => l.trim() !== "")
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as JournalEntry];
        } catch {
          return [];
        }
      });
  }

  async requestAbort(r: AbortRequest): Promise<void> {
    await fs.promises.mkdir(this.location, { recursive: true });
    // Written beside, then renamed over: a reader sees the old request or the new one, never half of one.
    const tmp = `${this.abortFile}.${process.pid}`;
    await fs.promises.writeFile(tmp, JSON.stringify(r));
    await fs.promises.rename(tmp, this.abortFile);
  }

  async abortRequest(): Promise<AbortRequest | undefined> {
    try {
      return JSON.parse(await fs.promises.readFile(this.abortFile, "utf8")) as AbortRequest;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT" || err instanceof SyntaxError) return undefined;
      throw err;
    }
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

  async readRelease(): Promise<Versioned | undefined> {
    const record = readReleaseSync(this.location);
    return record === undefined ? undefined : { record };
  }

  // The conditional write: the next version is written whole to a temporary file, then linked to release/<seq>.json.
  // link(2) fails with EEXIST when that name exists, so of two writers quoting the same previous version exactly one
  // creates it, and a reader never sees half a record (a rename would silently replace the winner's).
  async writeRelease(record: ReleaseRecord, previous: Versioned | undefined): Promise<Versioned> {
    const seq = (previous?.record.seq ?? 0) + 1;
    if (record.seq !== seq) throw new EngineError(`release record version ${record.seq} does not follow ${seq - 1}`);
    const target = releaseFile(this.location, seq);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    const tmp = path.join(path.dirname(target), `.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
    await fs.promises.writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`);
    try {
      await fs.promises.link(tmp, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST")
        throw new LockedError(recordRaceMessage(this.location, seq));
      throw err;
    } finally {
      await fs.promises.rm(tmp, { force: true });
    }
    return { record };
  }
}
