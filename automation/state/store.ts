// What a stack's state in its backend holds besides Pulumi's own: the journal, the lock and the release record, kept
// together at <backend root>/.slipway/<project>/<stack>/ (docs/design.md, How data flows) so the next CI runner sees what
// the last one did. One interface, two stores: ./file.ts (file://) and ./s3.ts (s3://), chosen in ./backend.ts.
import type { Evidence } from "../release/evidence";
import type { Verdict } from "../types";
import type { StoredRecord } from "./chain";
import type { JournalMark, Release, ReleaseRecord, RestoreFrom } from "../../contract/store";

export type { JournalMark, Release, ReleaseRecord, RestoreFrom };

export type JournalAction =
  | "promote"
  | "prepare"
  | "step"
  | "bake"
  | "backup"
  | "finalize"
  | "rollback"
  | "skip-canary"
  | "update"
  | "recover"
  | "abort"
  | "remediate"
  | "reconcile"
  | "hook"
  | "drift"
  | "continue";
/**
 * `held`: stopped after an irreversible hook ran, traffic left where it was (automation/release/hooks.ts). `paused`:
 * stopped for a person at a `pause` step (or a gate without data), traffic left where it was, until
 * `promote --continue` or `abort`. `drifted` and `clean`: what a drift check found.
 */
export type JournalStatus =
  | "completed"
  | "rolled-back"
  | "held"
  | "paused"
  | "failed"
  | "recovered: rolled back"
  | "resumed"
  | "drifted"
  | "clean";

/** What a drift check found (action "drift"): each drifted resource and the paths of its changed properties. */
export interface DriftFinding {
  resources: Array<{ type: string; name: string; urn: string; properties: string[]; protected?: boolean }>;
}
export type HookPhase = "preTraffic" | "postPromotion";

/** One journal entry. `intent` is written before an update (with the release it applies), `outcome` after it. */
export interface JournalEntry {
  at: string;
  promotionId: string;
  stack: string;
  event: "start" | "intent" | "outcome" | "end" | "genesis";
  action: JournalAction;
  version?: string;
  stableVersion?: string;
  steps?: number[];
  /** On a start: the indices of the steps after which the promotion pauses for a person. */
  pauseAfter?: number[];
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
  /** On an intent: the release the update applies, so a crash between the update and the record write is recoverable. */
  release?: Release;
  /** On a promotion's start: the wait between a step and its gates, and the bake window (what `status --watch` shows). */
  intervalMs?: number;
  bakeMs?: number;
  /** A hook run (action "hook"): its name, the point of the release it ran at, and whether it can be undone. */
  hook?: string;
  phase?: HookPhase;
  irreversible?: boolean;
  /** A drift check (action "drift", status drifted or clean): what drifted, masked. */
  drift?: DriftFinding;
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

/** A record as read, with what a conditional write of the next version must quote. */
export interface Versioned {
  record: ReleaseRecord;
  /** S3 only: the ETag of the object read. */
  etag?: string;
}

/**
 * A request, from another job, that the promotion holding the stack's lock roll back at its next check (an interval,
 * the bake window). The holder alone writes the journal, so the request is an object of its own beside it.
 */
export interface AbortRequest {
  promotionId: string;
  requestedAt: string;
  by: string;
  reason?: string;
  /** `abort --force`: roll back even after an irreversible hook ran (the promotion would otherwise hold). */
  force?: boolean;
}

export interface StackState {
  /** Where the state lives, for messages and docs. */
  readonly location: string;
  /** Writes (or replaces) the abort request; the promotion named in it reads it. */
  requestAbort(r: AbortRequest): Promise<void>;
  abortRequest(): Promise<AbortRequest | undefined>;
  append(entry: JournalEntry): Promise<void>;
  read(): Promise<JournalEntry[]>;
  /** Every stored record as written, unparsed, in journal order: what `slipway audit verify` checks. */
  records(): Promise<StoredRecord[]>;
  /**
   * Takes the lock or throws LockedError; resolves to the release function, which removes the lock only while it is
   * still this holder's. From then on every append and record write of this store object first checks that the lock
   * still carries this holder's fencing token, and throws LockedError (nothing written) when another took it over.
   */
  acquire(holder: LockHolder, onStale: (stale: LockHolder) => void): Promise<() => Promise<void>>;
  holder(): Promise<LockHolder | undefined>;
  /** The newest release record, or undefined when none was written yet. */
  readRelease(): Promise<Versioned | undefined>;
  /**
   * Writes `record` (its seq must be the previous seq + 1, or 1 with no previous) only if `previous` is still the
   * newest version; otherwise throws LockedError and writes nothing. Of two writers quoting the same previous
   * version exactly one wins.
   */
  writeRelease(record: ReleaseRecord, previous: Versioned | undefined): Promise<Versioned>;
  /** Every stored version of the release record, oldest first (the S3 store keeps only the newest). */
  releaseHistory?(): Promise<ReleaseRecord[]>;
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

/** The message of a lost conditional write of the release record. */
export function recordRaceMessage(location: string, seq: number): string {
  return (
    `the release record at ${location} changed under this driver (version ${seq} was written by another); ` +
    "nothing was written: check slipway status, then rerun"
  );
}
