// The S3 store (`s3://bucket/prefix` DIY backends), beside Pulumi's own `.pulumi/` state:
// <prefix>/.slipway/<project>/<stack>/journal/<sequence>.json, .../lock and .../release.json (the release record).
// The SDK is loaded on first use only, so file backends never pay for it.
import type { S3Client } from "@aws-sdk/client-s3";
import { parseDuration } from "../../contract/release";
import { BackendUrlError, parseS3Url, type S3Backend } from "../../contract/store";
import { EngineError, InputError, LockedError } from "../errors";
import { describeHolder, pidAlive, recordRaceMessage } from "./store";
import type { AbortRequest, JournalEntry, LockHolder, ReleaseRecord, StackState, Versioned } from "./store";
import { seal, StoredRecord } from "./chain";

export type { S3Backend };

/** Parses `s3://bucket[/prefix][?region=..&endpoint=..&s3ForcePathStyle=true&profile=..]`, refusing what S3 would not take. */
export function parseS3Backend(url: string): S3Backend {
  try {
    return parseS3Url(url);
  } catch (err) {
    throw err instanceof BackendUrlError ? new InputError(err.message) : err;
  }
}

/** "10m", "90s", "1h" -> milliseconds; the lease a lock holder must renew within. */
export function parseLease(text: string): number {
  const ms = parseDuration(text) ?? NaN;
  if (!(ms >= 30_000))
    throw new InputError(`SLIPWAY_LOCK_LEASE=${text} is not allowed; set a duration of at least 30s, e.g. 10m`);
  return ms;
}

export const DEFAULT_LEASE_MS = 10 * 60_000;

/** The lock object: the holder plus the heartbeat that proves it is still running. */
interface LockRecord extends LockHolder {
  updatedAt: string;
  leaseMs: number;
}

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

/** One client per backend URL and process, built on first use (lazy SDK import). */
export function s3ClientFactory(b: S3Backend): () => Promise<S3Client> {
  let client: Promise<S3Client> | undefined;
  return () =>
    (client ??= import("@aws-sdk/client-s3").then(
      (sdk) =>
        new sdk.S3Client({
          region: b.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION,
          endpoint: b.endpoint,
          forcePathStyle: b.forcePathStyle,
          profile: b.profile,
        }),
    ));
}

type Sdk = typeof import("@aws-sdk/client-s3");
const sdk = (): Promise<Sdk> => import("@aws-sdk/client-s3");

function status(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}
/** 412: the condition failed; 409 ConditionalRequestConflict: a concurrent conditional write won. Both mean "lost". */
function lostRace(err: unknown): boolean {
  return status(err) === 412 || status(err) === 409;
}
function missing(err: unknown): boolean {
  return status(err) === 404 || (err as Error).name === "NoSuchKey";
}

const SEQ_WIDTH = 10;

export class S3StackState implements StackState {
  readonly location: string;
  private readonly dir: string;
  private readonly lockKey: string;
  private readonly abortKey: string;
  private readonly releaseKey: string;
  private readonly leaseMs: number;
  private readonly client: () => Promise<S3Client>;
  private readonly alive: (pid: number) => boolean;
  private readonly now: () => number;
  private readonly onLockLost: (message: string) => void;
  /** The sequence number the next append tries first; a lost race re-lists. */
  private nextSeq: number | undefined;
  /** The text this process stored at nextSeq - 1, which the next entry's chain link hashes. */
  private tail: string | undefined;

  constructor(
    private readonly backend: S3Backend,
    stackDir: string,
    private readonly hostname: string,
    opts: S3StateOptions = {},
  ) {
    this.dir = [backend.prefix, stackDir].filter((p) => p !== "").join("/");
    this.lockKey = `${this.dir}/lock`;
    this.abortKey = `${this.dir}/abort-request.json`;
    this.releaseKey = `${this.dir}/release.json`;
    this.location = `s3://${backend.bucket}/${this.dir}`;
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
    this.client = opts.client ?? s3ClientFactory(backend);
    this.alive = opts.alive ?? pidAlive;
    this.now = opts.now ?? Date.now;
    this.onLockLost = opts.onLockLost ?? ((m) => process.stderr.write(`slipway: ${m}\n`));
  }

  private fail(what: string, err: unknown): EngineError {
    const e = err as Error;
    return new EngineError(
      `${what} on ${this.backend.url} failed: ${e.name}: ${e.message}; check the bucket, the region (?region=) and the ` +
        "AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, a role)",
    );
  }

  // S3 has no append. Each entry is its own object, created only if absent (If-None-Match: *) under the next
  // sequence number: two writers racing for the same number get one 412, re-list and take the next, so no entry is
  // ever overwritten and the listing order (zero-padded keys sort lexically) is the append order. A time-based key
  // would order entries by each runner's clock instead, and could collide.
  async append(entry: JournalEntry): Promise<void> {
    const { PutObjectCommand } = await sdk();
    const s3 = await this.client();
    for (let attempt = 0; attempt < 20; attempt++) {
      const seq = this.nextSeq ?? (await this.lastSeq()) + 1;
      const last = this.nextSeq !== undefined ? this.tail : seq > 1 ? await this.textAt(seq - 1) : undefined;
      const bodies = (await seal(entry, last, async () => (await this.records()).map((r) => r.text))).map((r) =>
        JSON.stringify(r),
      );
      try {
        for (const [i, Body] of bodies.entries()) {
          const Key = this.keyOf(seq + i);
          await s3.send(
            new PutObjectCommand({
              Bucket: this.backend.bucket,
              Key,
              Body,
              IfNoneMatch: "*",
              ContentType: "application/json",
            }),
          );
          [this.nextSeq, this.tail] = [seq + i + 1, Body];
        }
        return;
      } catch (err) {
        if (!lostRace(err)) throw this.fail("writing the journal entry", err);
        this.nextSeq = undefined;
      }
    }
    throw new EngineError(`the journal at ${this.location} kept changing under 20 appends in a row; try again`);
  }

  private keyOf(seq: number): string {
    return `${this.dir}/journal/${String(seq).padStart(SEQ_WIDTH, "0")}.json`;
  }

  private async textAt(seq: number): Promise<string | undefined> {
    const { GetObjectCommand } = await sdk();
    try {
      const got = await (
        await this.client()
      ).send(new GetObjectCommand({ Bucket: this.backend.bucket, Key: this.keyOf(seq) }));
      return await got.Body?.transformToString();
    } catch (err) {
      if (missing(err)) return undefined;
      throw this.fail(`reading ${this.keyOf(seq)}`, err);
    }
  }

  private async journalKeys(): Promise<string[]> {
    const { ListObjectsV2Command } = await sdk();
    const s3 = await this.client();
    const keys: string[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await s3.send(
          new ListObjectsV2Command({
            Bucket: this.backend.bucket,
            Prefix: `${this.dir}/journal/`,
            ContinuationToken: token,
          }),
        );
      } catch (err) {
        throw this.fail("listing the journal", err);
      }
      for (const o of page.Contents ?? []) if (o.Key && /\/\d+\.json$/.test(o.Key)) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  private async lastSeq(): Promise<number> {
    const last = (await this.journalKeys()).at(-1);
    return last === undefined ? 0 : Number(/(\d+)\.json$/.exec(last)![1]);
  }

  async read(): Promise<JournalEntry[]> {
    // Objects are written whole, but one put by hand can be anything: skip what does not parse, as the file store does.
    return (await this.records()).flatMap((r) => {
      try {
        return [JSON.parse(r.text) as JournalEntry];
      } catch {
        return [];
      }
    });
  }

  async records(): Promise<StoredRecord[]> {
    const { GetObjectCommand } = await sdk();
    const s3 = await this.client();
    const keys = await this.journalKeys();
    const texts: (string | undefined)[] = new Array(keys.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < keys.length; i = next++) {
        try {
          const got = await s3.send(new GetObjectCommand({ Bucket: this.backend.bucket, Key: keys[i] }));
          texts[i] = await got.Body?.transformToString();
        } catch (err) {
          throw this.fail(`reading ${keys[i]}`, err);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, keys.length) }, worker));
    return keys.flatMap((ref, i) => (texts[i] === undefined ? [] : [{ ref, text: texts[i]! }]));
  }

  async requestAbort(r: AbortRequest): Promise<void> {
    const { PutObjectCommand } = await sdk();
    try {
      await (
        await this.client()
      ).send(
        new PutObjectCommand({
          Bucket: this.backend.bucket,
          Key: this.abortKey,
          Body: JSON.stringify(r),
          ContentType: "application/json",
        }),
      );
    } catch (err) {
      throw this.fail("writing the abort request", err);
    }
  }

  async abortRequest(): Promise<AbortRequest | undefined> {
    const { GetObjectCommand } = await sdk();
    try {
      const got = await (
        await this.client()
      ).send(new GetObjectCommand({ Bucket: this.backend.bucket, Key: this.abortKey }));
      return JSON.parse((await got.Body?.transformToString()) ?? "") as AbortRequest;
    } catch (err) {
      if (missing(err) || err instanceof SyntaxError) return undefined;
      throw this.fail("reading the abort request", err);
    }
  }

  private async readLock(): Promise<{ record: LockRecord; etag: string; modified: number } | undefined> {
    const { GetObjectCommand } = await sdk();
    const s3 = await this.client();
    let got;
    let text: string;
    try {
      got = await s3.send(new GetObjectCommand({ Bucket: this.backend.bucket, Key: this.lockKey }));
      text = (await got.Body?.transformToString()) ?? "";
    } catch (err) {
      if (missing(err)) return undefined;
      throw this.fail("reading the lock", err);
    }
    try {
      const record = JSON.parse(text) as LockRecord;
      return { record, etag: got.ETag ?? "", modified: got.LastModified?.getTime() ?? 0 };
    } catch {
      throw new EngineError(`the lock ${this.location}/lock is unreadable; if no promotion runs, delete that object`);
    }
  }

  async holder(): Promise<LockHolder | undefined> {
    const lock = await this.readLock();
    if (!lock) return undefined;
    const { updatedAt: _u, leaseMs: _l, ...holder } = lock.record;
    return holder;
  }

  /** Writes the lock record; `etag` undefined = only if no lock exists, else only if the lock is still that version. */
  private async putLock(record: LockRecord, etag: string | undefined): Promise<string | undefined> {
    const { PutObjectCommand } = await sdk();
    const s3 = await this.client();
    const cond = etag === undefined ? { IfNoneMatch: "*" } : { IfMatch: etag };
    try {
      const out = await s3.send(
        new PutObjectCommand({
          Bucket: this.backend.bucket,
          Key: this.lockKey,
          Body: JSON.stringify(record),
          ContentType: "application/json",
          ...cond,
        }),
      );
      return out.ETag ?? "";
    } catch (err) {
      if (lostRace(err) || missing(err)) return undefined;
      throw this.fail("writing the lock", err);
    }
  }

  // The lock rule. A lock is created only if none exists (If-None-Match: *), so of two drivers exactly one wins.
  // The holder renews `updatedAt` every lease/4 with a write conditional on its own ETag. Another driver may take the
  // lock over only when it is stale: not renewed within its lease (the holder may be a CI runner that died; its pid
  // cannot be checked from here), or held by a dead pid on this very host. The takeover is itself conditional on the
  // ETag read (If-Match), so a holder that renewed meanwhile, or a third driver that took over first, wins instead.
  async acquire(holder: LockHolder, onStale: (stale: LockHolder) => void): Promise<() => Promise<void>> {
    const fresh = (): LockRecord => ({
      ...holder,
      updatedAt: new Date(this.now()).toISOString(),
      leaseMs: this.leaseMs,
    });
    for (let attempt = 0; attempt < 3; attempt++) {
      const created = await this.putLock(fresh(), undefined);
      if (created !== undefined) return this.hold(fresh, created);
      const current = await this.readLock();
      if (current === undefined) continue;
      const { record } = current;
      const renewed = Math.max(Date.parse(record.updatedAt) || 0, current.modified);
      const lease = record.leaseMs > 0 ? record.leaseMs : this.leaseMs;
      const expired = this.now() - renewed > lease;
      const deadHere = record.host === this.hostname && !this.alive(record.pid);
      if (!expired && !deadHere) {
        const left = Math.max(1, Math.ceil((renewed + lease - this.now()) / 60_000));
        throw new LockedError(
          `stack ${this.location} is locked by ${describeHolder(record)}, last renewed ${new Date(renewed).toISOString()}; ` +
            `wait for it to finish (if that driver is gone, its lease expires within ${left} min)`,
          { holder: record },
        );
      }
      onStale(record);
      const taken = await this.putLock(fresh(), current.etag);
      if (taken !== undefined) return this.hold(fresh, taken);
    }
    throw new LockedError(`stack ${this.location}: another driver took the lock first; try again`);
  }

  /** Keeps the lock renewed until released; the release deletes only the version this process wrote last. */
  private hold(fresh: () => LockRecord, firstEtag: string): () => Promise<void> {
    let etag: string | undefined = firstEtag;
    let beat: Promise<void> = Promise.resolve();
    const renew = async (): Promise<void> => {
      if (etag === undefined) return;
      try {
        etag = await this.putLock(fresh(), etag);
        if (etag === undefined) {
          this.onLockLost(`the lock ${this.location}/lock was taken over or removed while this driver held it`);
        }
      } catch (err) {
        this.onLockLost(`renewing the lock failed (${(err as Error).message}); will try again`);
      }
    };
    const timer = setInterval(() => (beat = beat.then(renew)), Math.max(1_000, Math.floor(this.leaseMs / 4)));
    timer.unref();
    return async () => {
      clearInterval(timer);
      await beat;
      if (etag === undefined) return;
      const { DeleteObjectCommand } = await sdk();
      const s3 = await this.client();
      const mine = etag;
      etag = undefined;
      try {
        await s3.send(new DeleteObjectCommand({ Bucket: this.backend.bucket, Key: this.lockKey, IfMatch: mine }));
      } catch (err) {
        if (lostRace(err) || missing(err)) return;
        if (status(err) !== 501) throw this.fail("releasing the lock", err);
        await this.deleteIfStill(mine);
      }
    };
  }

  async readRelease(): Promise<Versioned | undefined> {
    const { GetObjectCommand } = await sdk();
    const s3 = await this.client();
    let got;
    let text: string;
    try {
      got = await s3.send(new GetObjectCommand({ Bucket: this.backend.bucket, Key: this.releaseKey }));
      text = (await got.Body?.transformToString()) ?? "";
    } catch (err) {
      if (missing(err)) return undefined;
      throw this.fail("reading the release record", err);
    }
    try {
      return { record: JSON.parse(text) as ReleaseRecord, etag: got.ETag ?? "" };
    } catch {
      throw new EngineError(
        `the release record ${this.location}/release.json is unreadable; restore it from the journal (slipway history) or delete it to start again from the stack file`,
      );
    }
  }

  // One object, replaced only if it is still the version read (If-Match on its ETag), or created only if absent
  // (If-None-Match: *): of two writers quoting the same version exactly one gets 200, the other 412.
  async writeRelease(record: ReleaseRecord, previous: Versioned | undefined): Promise<Versioned> {
    const seq = (previous?.record.seq ?? 0) + 1;
    if (record.seq !== seq) throw new EngineError(`release record version ${record.seq} does not follow ${seq - 1}`);
    const { PutObjectCommand } = await sdk();
    const s3 = await this.client();
    const cond = previous === undefined ? { IfNoneMatch: "*" } : { IfMatch: previous.etag };
    try {
      const out = await s3.send(
        new PutObjectCommand({
          Bucket: this.backend.bucket,
          Key: this.releaseKey,
          Body: `${JSON.stringify(record, null, 2)}\n`,
          ContentType: "application/json",
          ...cond,
        }),
      );
      return { record, etag: out.ETag ?? "" };
    } catch (err) {
      if (lostRace(err) || missing(err)) throw new LockedError(recordRaceMessage(this.location, seq));
      throw this.fail("writing the release record", err);
    }
  }

  // For S3-compatible servers without conditional deletes (AWS has them since 2025-09): compare, then delete. The
  // window between the two is a takeover of a lock this driver renewed within its lease, which the rule forbids.
  private async deleteIfStill(etag: string): Promise<void> {
    const { DeleteObjectCommand } = await sdk();
    const s3 = await this.client();
    if ((await this.readLock())?.etag !== etag) return;
    try {
      await s3.send(new DeleteObjectCommand({ Bucket: this.backend.bucket, Key: this.lockKey }));
    } catch (err) {
      if (!missing(err)) throw this.fail("releasing the lock", err);
    }
  }
}
