// The S3 store (`s3://bucket/prefix` DIY backends), beside Pulumi's own `.pulumi/` state:
// <prefix>/.slipway/<project>/<stack>/journal/<sequence>.json (./s3journal.ts), .../lock (./s3lock.ts) and
// .../release.json (the release record). Every object is reached through ./s3object.ts; what is read back is checked
// by ./schema.ts. The SDK is loaded on first use only, so file backends never pay for it.
import type { S3Client } from "@aws-sdk/client-s3";
import { LockedError } from "../errors";
import type { StoredRecord } from "./chain";
import { S3Journal } from "./s3journal";
import { S3Lock } from "./s3lock";
import { S3Objects } from "./s3object";
import { DEFAULT_LEASE_MS, S3Backend, s3ClientFactory } from "./s3url";
import { nextRecordSeq, parseAbort, parseEntry, parseRecord } from "./schema";
import { pidAlive, recordRaceMessage } from "./store";
import type { AbortRequest, JournalEntry, LockHolder, ReleaseRecord, StackState, Versioned } from "./store";

export { DEFAULT_LEASE_MS, parseLease, parseS3Backend, s3ClientFactory } from "./s3url";
export type { S3Backend } from "./s3url";

export interface S3StateOptions {
  /** A lock not renewed for this long is stale (its holder, possibly another CI runner, is presumed dead). */
  leaseMs?: number;
  /** Injected for tests; defaults to the S3 client built from the backend URL and the AWS credential chain. */
  client?: () => Promise<S3Client>;
  alive?: (pid: number) => boolean;
  now?: () => number;
  /** Told when the heartbeat finds the lock taken over or removed while this process held it. */
  onLockLost?: (message: string) => void;
}

export class S3StackState implements StackState {
  readonly location: string;
  private readonly dir: string;
  private readonly bucket: string;
  private readonly abortKey: string;
  private readonly releaseKey: string;
  private readonly objects: S3Objects;
  private readonly journal: S3Journal;
  private readonly lock: S3Lock;
  /** The fencing token and promotion of the lock this store object holds, checked before each write. */
  private held: { token: number; promotionId: string } | undefined;

  constructor(backend: S3Backend, stackDir: string, hostname: string, opts: S3StateOptions = {}) {
    this.dir = [backend.prefix, stackDir].filter((p) => p !== "").join("/");
    this.bucket = backend.bucket;
    this.abortKey = `${this.dir}/abort-request.json`;
    this.releaseKey = `${this.dir}/release.json`;
    this.location = `s3://${backend.bucket}/${this.dir}`;
    this.objects = new S3Objects(backend, opts.client ?? s3ClientFactory(backend));
    this.journal = new S3Journal(this.objects, this.dir, this.location);
    this.lock = new S3Lock(this.objects, `${this.dir}/lock`, this.location, hostname, {
      leaseMs: opts.leaseMs ?? DEFAULT_LEASE_MS,
      alive: opts.alive ?? pidAlive,
      now: opts.now ?? Date.now,
      onLockLost: opts.onLockLost ?? ((m) => process.stderr.write(`slipway: ${m}\n`)),
    });
  }

  private async fence(): Promise<void> {
    if (this.held) await this.lock.check(this.held.token, this.held.promotionId);
  }

  async append(entry: JournalEntry): Promise<void> {
    await this.fence();
    await this.journal.append(entry);
  }

  async read(): Promise<JournalEntry[]> {
    return (await this.records()).map((r) => parseEntry(`s3://${this.bucket}/${r.ref}`, r.text));
  }

  records(): Promise<StoredRecord[]> {
    return this.journal.records();
  }

  async requestAbort(r: AbortRequest): Promise<void> {
    await this.objects.put(this.abortKey, JSON.stringify(r), "writing the abort request");
  }

  async abortRequest(): Promise<AbortRequest | undefined> {
    const got = await this.objects.get(this.abortKey, "reading the abort request");
    return got && parseAbort(got.text);
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
    const got = await this.objects.get(this.releaseKey, "reading the release record");
    return got && { record: parseRecord(`${this.location}/release.json`, got.text), etag: got.etag };
  }

  async releaseHistory(): Promise<ReleaseRecord[]> {
    const v = await this.readRelease();
    return v ? [v.record] : [];
  }

  // One object, replaced only if it is still the version read (If-Match on its ETag), or created only if absent
  // (If-None-Match: *): of two writers quoting the same version exactly one gets 200, the other 412.
  async writeRelease(record: ReleaseRecord, previous: Versioned | undefined): Promise<Versioned> {
    const seq = nextRecordSeq(record, previous);
    await this.fence();
    const marked: ReleaseRecord = { ...record, journal: record.journal ?? (await this.journal.mark()) };
    const etag = await this.objects.put(
      this.releaseKey,
      `${JSON.stringify(marked, null, 2)}\n`,
      "writing the release record",
      previous === undefined ? { create: true } : { etag: previous.etag ?? "" },
    );
    if (etag === undefined) throw new LockedError(recordRaceMessage(this.location, seq));
    return { record: marked, etag };
  }
}
