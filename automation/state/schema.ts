// What every store reads back is checked here, at the read boundary, before any command trusts it: a journal entry,
// a release record and a lock are parsed with zod, and anything else (a `null` line, a field of the
// wrong type, a record whose number disagrees with its name) is refused with InputError (exit 1) naming the file and
// the fix. Shared by the file store (./file.ts) and the S3 store (./s3.ts), with the record numbering and messages.
import { z } from "zod";
import { EngineError, InputError, LockedError } from "../errors";
import type { AbortRequest, JournalEntry, LockHolder, ReleaseRecord } from "./store";

const str = z.string();
const num = z.number().finite();

export const ReleaseSchema = z.looseObject({
  stableVersion: str,
  serviceVersions: z.record(str, str),
  canaryVersion: str,
  canaryWeight: num,
  canaryServices: z.array(str),
  rolledBackVersion: str.optional(),
  imageDigests: z.record(str, z.record(str, str)).optional(),
});

/** Where the journal stood when a record version was written: its length and the hash of its last entry. */
export const JournalMarkSchema = z.object({ entries: z.number().int().nonnegative(), head: str.optional() });

export const ReleaseRecordSchema = z.looseObject({
  seq: z.number().int().positive(),
  stack: str,
  updatedAt: str,
  writtenBy: str,
  command: str,
  release: ReleaseSchema,
  journal: JournalMarkSchema.optional(),
});

export const JournalEntrySchema = z.looseObject({
  at: str,
  promotionId: str,
  stack: str,
  event: z.enum(["start", "intent", "outcome", "end", "genesis"]),
  action: str,
  version: str.optional(),
  stableVersion: str.optional(),
  steps: z.array(num).optional(),
  step: num.optional(),
  weight: num.optional(),
  services: z.array(str).optional(),
  ok: z.boolean().optional(),
  status: str.optional(),
  detail: str.optional(),
  release: ReleaseSchema.optional(),
  chain: z.looseObject({ n: num, prev: str.nullable(), hash: str }).optional(),
});

export const LockSchema = z.looseObject({
  pid: z.number().int(),
  host: str,
  startedAt: str,
  promotionId: str,
  command: str,
  /** The fencing token: grows by one with every holder; absent on a lock written before tokens (counts as 0). */
  token: z.number().int().nonnegative().optional(),
  /** A released lock kept as the last token, so the next holder's token is still larger. */
  released: z.boolean().optional(),
  updatedAt: str.optional(),
  leaseMs: num.optional(),
});
/** A lock as stored: its holder, its fencing token, and (S3) its heartbeat or the released marker. */
export interface StoredLock extends LockHolder {
  token?: number;
  released?: boolean;
  updatedAt?: string;
  leaseMs?: number;
}

/** A released lock: no holder, only the token the next holder counts on from. */
export const RELEASED = { pid: 0, host: "", startedAt: "", promotionId: "", command: "", released: true } as const;

const AbortSchema = z.looseObject({
  promotionId: str,
  requestedAt: str,
  by: str,
  reason: str.optional(),
  force: z.boolean().optional(),
});

function issues(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join(".") : "(the whole value)"}: ${i.message}`)
    .join("; ");
}

function parseWith<T>(schema: z.ZodType, where: string, text: string, fix: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError(`${where} is not JSON (truncated or overwritten); ${fix}`);
  }
  const r = schema.safeParse(value);
  if (!r.success) throw new InputError(`${where} is not what slipway writes (${issues(r.error)}); ${fix}`);
  return r.data as T;
}

export const JOURNAL_FIX =
  "restore the journal from a backup or remove that entry, then run slipway audit verify (the chain will report the change)";
export const RECORD_FIX =
  "restore it from a backup (slipway history shows each release) or delete it to start again from the deployed stack";
export const LOCK_FIX = "if no promotion runs, delete it";

export function parseEntry(where: string, text: string): JournalEntry {
  return parseWith<JournalEntry>(JournalEntrySchema, `the journal entry ${where}`, text, JOURNAL_FIX);
}

/** A release record; `seq`, when given, is the number its file or object name says it is. */
export function parseRecord(where: string, text: string, seq?: number): ReleaseRecord {
  const r = parseWith<ReleaseRecord>(ReleaseRecordSchema, `the release record ${where}`, text, RECORD_FIX);
  if (seq !== undefined && r.seq !== seq)
    throw new InputError(`the release record ${where} says it is version ${r.seq}, not ${seq}; ${RECORD_FIX}`);
  return r;
}

export function parseLock(where: string, text: string): StoredLock {
  return parseWith<StoredLock>(LockSchema, `the lock ${where}`, text, LOCK_FIX);
}

/**
 * An abort request, or undefined when it is not one: a request only ever stops a promotion, so a garbled one is
 * ignored (the promotion goes on) rather than failing a canary half-way; `slipway abort` writes a fresh one.
 */
export function parseAbort(text: string): AbortRequest | undefined {
  try {
    const r = AbortSchema.safeParse(JSON.parse(text));
    return r.success ? (r.data as AbortRequest) : undefined;
  } catch {
    return undefined;
  }
}

/** The holder a stored lock names, without the store's own fields; undefined for a released lock. */
export function holderOf(lock: StoredLock | undefined): LockHolder | undefined {
  if (lock === undefined || lock.released === true) return undefined;
  const { pid, host, startedAt, promotionId, command } = lock;
  return { pid, host, startedAt, promotionId, command };
}

/** A path that should be a file but is a directory (or another non-file). */
export function notAFile(where: string, what: string, fix: string): InputError {
  return new InputError(`${what} ${where} is a directory, not a file; ${fix}`);
}

/** The number the next record version must carry; refuses a record that does not follow `previous`. */
export function nextRecordSeq(record: ReleaseRecord, previous: { record: ReleaseRecord } | undefined): number {
  const seq = (previous?.record.seq ?? 0) + 1;
  if (record.seq !== seq) throw new EngineError(`release record version ${record.seq} does not follow ${seq - 1}`);
  return seq;
}

/** The holder's check before it writes: its lock must still carry its token. */
export function fenced(location: string, mine: number, current: StoredLock | undefined): void {
  if (current !== undefined && current.released !== true && (current.token ?? 0) === mine) return;
  throw new LockedError(
    `the lock of ${location} is no longer this driver's (token ${mine}; now ${current === undefined || current.released ? "released" : `token ${current.token ?? 0}, ${current.command} ${current.promotionId}`}): ` +
      "another driver took it over; nothing was written: check slipway status, then rerun",
  );
}
