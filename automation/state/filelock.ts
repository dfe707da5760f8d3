// The file store's lock: `<stack dir>/lock`, holding the holder and its fencing token. Every change of it is atomic,
// so of any number of processes racing for it exactly one holds it:
// - created whole (written to a temporary file, then link(2)ed to `lock`, which fails when `lock` exists);
// - ended (taken over when stale, or released) only by the process that first creates the claim file
//   `lock.ended/<token>-<digest of the lock's text>` (O_EXCL): the claim is the compare of a compare-and-swap, so a
//   generation of the lock is ended once, by one process, and never one it did not see;
// - a takeover replaces the lock by rename(2) (never a moment without one) with the token one larger; a release
//   removes it only when it is still this holder's, and the next holder's token still grows (the claims remember).
import * as fs from "fs";
import * as path from "path";
import { randomBytes } from "crypto";
import { InputError, LockedError } from "../errors";
import { sha256 } from "./chain";
import { fenced, holderOf, LOCK_FIX, notAFile, parseLock, StoredLock } from "./schema";
import { describeHolder } from "./store";
import type { LockHolder } from "./store";

/** A claim older than this whose lock was never replaced belongs to a process that died mid-takeover. */
const ABANDONED_CLAIM_MS = 60_000;
const CLAIM = /^(\d+)-[0-9a-f]+$/;

export interface Held {
  token: number;
  release: () => Promise<void>;
}

export class FileLock {
  readonly file: string;
  private readonly ended: string;

  constructor(
    private readonly dir: string,
    private readonly hostname: string,
    private readonly alive: (pid: number) => boolean,
  ) {
    this.file = path.join(dir, "lock");
    this.ended = path.join(dir, "lock.ended");
  }

  private async text(): Promise<string | undefined> {
    try {
      return await fs.promises.readFile(this.file, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return undefined;
      if (code === "EISDIR") throw notAFile(this.file, "the lock", `if no promotion runs, remove that directory`);
      throw err;
    }
  }

  async read(): Promise<{ text: string; lock: StoredLock } | undefined> {
    const text = await this.text();
    return text === undefined ? undefined : { text, lock: parseLock(this.file, text) };
  }

  async holder(): Promise<LockHolder | undefined> {
    return holderOf((await this.read())?.lock);
  }

  async check(token: number, promotionId: string): Promise<void> {
    const current = (await this.read())?.lock;
    fenced(this.dir, token, current?.promotionId === promotionId ? current : undefined);
  }

  async acquire(holder: LockHolder, onStale: (stale: LockHolder) => void): Promise<Held> {
    await fs.promises.mkdir(this.dir, { recursive: true });
    for (let attempt = 0; attempt < 10; attempt++) {
      const seen = await this.read();
      if (seen === undefined) {
        const token = (await this.lastEnded()) + 1;
        if (!(await this.place({ ...holder, token }, false))) continue;
        await this.prune(token);
        return this.held(token, holder.promotionId);
      }
      const stale = holderOf(seen.lock);
      if (stale && (stale.host !== this.hostname || this.alive(stale.pid))) {
        throw new LockedError(
          `stack ${path.basename(this.dir)} is locked by ${describeHolder(stale)}; wait for it to finish ` +
            `(if that process is gone on another host, delete ${this.file})`,
          { holder: stale },
        );
      }
      if (!(await this.claim(seen))) continue;
      if (stale) onStale(stale);
      const token = (seen.lock.token ?? 0) + 1;
      await this.place({ ...holder, token }, true);
      await this.prune(token);
      return this.held(token, holder.promotionId);
    }
    throw new LockedError(`stack ${path.basename(this.dir)}: another process took the lock first; try again`);
  }

  private held(token: number, promotionId: string): Held {
    return { token, release: () => this.release(token, promotionId) };
  }

  /** Removes the lock only while it is still this holder's (same token, same promotion). */
  private async release(token: number, promotionId: string): Promise<void> {
    const seen = await this.read().catch(() => undefined);
    if (seen === undefined || seen.lock.token !== token || seen.lock.promotionId !== promotionId) return;
    if (await this.claim(seen)) await fs.promises.rm(this.file, { force: true });
  }

  /**
   * Claims the end of the lock generation `seen`: true for exactly one caller, and only while the lock still is
   * `seen` (nobody else can change it while the claim is held, since every change needs that claim).
   */
  private async claim(seen: { text: string; lock: StoredLock }): Promise<boolean> {
    await fs.promises.mkdir(this.ended, { recursive: true });
    const name = path.join(this.ended, `${seen.lock.token ?? 0}-${sha256(seen.text).slice(0, 16)}`);
    try {
      await (await fs.promises.open(name, "wx")).close();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const age = Date.now() - (await fs.promises.stat(name)).mtimeMs;
      if (age > ABANDONED_CLAIM_MS && (await this.text()) === seen.text) await fs.promises.rm(name, { force: true });
      return false;
    }
    return (await this.text()) === seen.text;
  }

  /** Writes the lock whole beside, then links it (only if none exists) or renames it over the one claimed. */
  private async place(lock: StoredLock, replace: boolean): Promise<boolean> {
    const tmp = path.join(this.dir, `.lock-${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
    await fs.promises.writeFile(tmp, JSON.stringify(lock));
    try {
      if (replace) await fs.promises.rename(tmp, this.file);
      else await fs.promises.link(tmp, this.file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw err;
    } finally {
      await fs.promises.rm(tmp, { force: true });
    }
  }

  private async claims(): Promise<string[]> {
    return fs.promises.readdir(this.ended).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return [];
      if (err.code === "ENOTDIR")
        throw new InputError(`the lock's claims ${this.ended} is a file, not a directory; ${LOCK_FIX}`);
      throw err;
    });
  }

  /** The largest token ever ended here, so a new lock's token is larger than every earlier one. */
  private async lastEnded(): Promise<number> {
    return Math.max(0, ...(await this.claims()).map((n) => Number(CLAIM.exec(n)?.[1] ?? 0)));
  }

  /** Drops the claims of generations before the one just ended; the latest stays, for lastEnded. */
  private async prune(token: number): Promise<void> {
    for (const n of await this.claims()) {
      const t = CLAIM.exec(n)?.[1];
      if (t !== undefined && Number(t) < token - 1) await fs.promises.rm(path.join(this.ended, n), { force: true });
    }
  }
}
