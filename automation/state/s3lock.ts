// The S3 store's lock: one object, `<stack dir>/lock`, every change of which is a conditional write, so of any number
// of drivers racing for it exactly one wins. Created only if absent (If-None-Match: *); renewed every lease/4 with a
// write conditional on the holder's own ETag; taken over, when stale, with a write conditional on the ETag read
// (If-Match); released by replacing it, again If-Match, with a released marker that keeps the fencing token, so the
// next holder's token is one larger. A lock is stale when not renewed within its lease (the holder may be a CI runner
// that died; its pid cannot be checked from here), or held by a dead pid on this very host.
import { LockedError } from "../errors";
import { describeHolder } from "./store";
import type { LockHolder } from "./store";
import type { S3Objects } from "./s3object";
import { fenced, holderOf, parseLock, RELEASED, StoredLock } from "./schema";

/** The lock object: the holder, the heartbeat that proves it is still running, and the fencing token. */
type LockRecord = StoredLock;

export interface S3LockOptions {
  leaseMs: number;
  alive: (pid: number) => boolean;
  now: () => number;
  onLockLost: (message: string) => void;
}

export interface Held {
  token: number;
  release: () => Promise<void>;
}

export class S3Lock {
  constructor(
    private readonly objects: S3Objects,
    private readonly key: string,
    private readonly location: string,
    private readonly hostname: string,
    private readonly o: S3LockOptions,
  ) {}

  async read(): Promise<{ record: LockRecord; etag: string; modified: number } | undefined> {
    const got = await this.objects.get(this.key, "reading the lock");
    return got && { record: parseLock(`${this.location}/lock`, got.text) as LockRecord, ...got };
  }

  async holder(): Promise<LockHolder | undefined> {
    return holderOf((await this.read())?.record);
  }

  /** The holder's check before each write: the lock still carries its token and promotion. */
  async check(token: number, promotionId: string): Promise<void> {
    const current = (await this.read())?.record;
    fenced(this.location, token, current?.promotionId === promotionId ? current : undefined);
  }

  private stamp(r: Omit<LockRecord, "updatedAt" | "leaseMs">): () => LockRecord {
    return () => ({ ...r, updatedAt: new Date(this.o.now()).toISOString(), leaseMs: this.o.leaseMs });
  }

  async acquire(holder: LockHolder, onStale: (stale: LockHolder) => void): Promise<Held> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.read();
      if (current === undefined) {
        const fresh = this.stamp({ ...holder, token: 1 });
        const created = await this.objects.put(this.key, JSON.stringify(fresh()), "writing the lock", { create: true });
        if (created !== undefined) return this.hold(fresh, created, 1);
        continue;
      }
      const { record } = current;
      if (record.released !== true) this.refuseLive(record, current.modified);
      const stale = holderOf(record);
      if (stale !== undefined) onStale(stale);
      const token = (record.token ?? 0) + 1;
      const fresh = this.stamp({ ...holder, token });
      const taken = await this.objects.put(this.key, JSON.stringify(fresh()), "writing the lock", {
        etag: current.etag,
      });
      if (taken !== undefined) return this.hold(fresh, taken, token);
    }
    throw new LockedError(`stack ${this.location}: another driver took the lock first; try again`);
  }

  /** Throws LockedError unless the lock is stale: lease run out, or a dead pid on this host. */
  private refuseLive(record: LockRecord, modified: number): void {
    const renewed = Math.max(Date.parse(record.updatedAt ?? "") || 0, modified);
    const lease = (record.leaseMs ?? 0) > 0 ? record.leaseMs! : this.o.leaseMs;
    const expired = this.o.now() - renewed > lease;
    const deadHere = record.host === this.hostname && !this.o.alive(record.pid);
    if (expired || deadHere) return;
    const left = Math.max(1, Math.ceil((renewed + lease - this.o.now()) / 60_000));
    const holder = holderOf(record)!;
    throw new LockedError(
      `stack ${this.location} is locked by ${describeHolder(holder)}, last renewed ${new Date(renewed).toISOString()}; ` +
        `wait for it to finish (if that driver is gone, its lease expires within ${left} min)`,
      { holder },
    );
  }

  /** Keeps the lock renewed until released; the release replaces only the version this process wrote last. */
  private hold(fresh: () => LockRecord, firstEtag: string, token: number): Held {
    let etag: string | undefined = firstEtag;
    let beat: Promise<void> = Promise.resolve();
    const renew = async (): Promise<void> => {
      if (etag === undefined) return;
      try {
        etag = await this.objects.put(this.key, JSON.stringify(fresh()), "renewing the lock", { etag });
        if (etag === undefined)
          this.o.onLockLost(`the lock ${this.location}/lock was taken over or removed while this driver held it`);
      } catch (err) {
        this.o.onLockLost(`renewing the lock failed (${(err as Error).message}); will try again`);
      }
    };
    const timer = setInterval(() => (beat = beat.then(renew)), Math.max(1_000, Math.floor(this.o.leaseMs / 4)));
    timer.unref();
    const release = async (): Promise<void> => {
      clearInterval(timer);
      await beat;
      if (etag === undefined) return;
      const mine = etag;
      etag = undefined;
      const marker = this.stamp({ ...RELEASED, token })();
      await this.objects.put(this.key, JSON.stringify(marker), "releasing the lock", { etag: mine });
    };
    return { token, release };
  }
}
