// Where `slipway rollback` goes, decided from the stack's verified journal and release before anything changes, and
// everything it refuses: a journal that does not verify, an open promotion, a version the stack never completed, the
// version already serving, a database restore without a journaled snapshot or on a stack without a database.
import type { StackConfig } from "../../stacks/config";
import { InputError } from "../errors";
import { servesOnly } from "../release/revert";
import { canariedServices } from "../release/values";
import { verifyStack } from "../state/integrity";
import { openPromotion } from "../state/progress";
import { completedVersions, openRollback, previousGood, snapshotBefore } from "../state/rollbacks";
import type { JournalEntry, RestoreFrom, StackState } from "../state/store";

export interface Target {
  /** The version serving now (the record's stable version) and the one the rollback returns to. */
  from: string;
  to: string;
  restoreFrom?: RestoreFrom;
}

/** The stack's journal, only once its hash chain and the release record's marks verify. */
export async function verifiedJournal(state: StackState, stack: string): Promise<JournalEntry[]> {
  const v = await verifyStack(state);
  if (!v.ok)
    throw new InputError(
      `${stack}: the journal does not verify (${v.broken!.problem} at ${v.broken!.ref}: ${v.broken!.detail}), so it cannot say which release was good: ` +
        `run slipway audit verify --stack ${stack}, restore the journal, then roll back`,
    );
  return state.read();
}

function restoreOf(stack: string, c: StackConfig, entries: readonly JournalEntry[], from: string): RestoreFrom {
  if (c.environment === "local")
    throw new InputError(
      `--restore-database: ${stack} has no database (the local stack runs none): drop --restore-database`,
    );
  const snap = snapshotBefore(entries, from);
  if (snap === undefined)
    throw new InputError(
      `--restore-database: ${stack}'s journal holds no snapshot id for the release of ${from} (its promotion took no backup; slipway:release.backup turns it on): ` +
        "roll back without --restore-database, or restore the database by hand",
    );
  return { snapshotId: snap.snapshotId, release: from };
}

const OPEN_AS: Record<string, string> = { held: "held", paused: "paused for a person" };

export function targetOf(
  a: { stack: string; to?: string; restoreDatabase: boolean },
  c: StackConfig,
  entries: readonly JournalEntry[],
): Target {
  const r = c.release;
  const from = r.stableVersion;
  const open = openPromotion(entries);
  if (open !== undefined)
    throw new InputError(
      `${a.stack}: promotion ${open.promotionId} of ${open.version} is ${OPEN_AS[open.status ?? ""] ?? "open (interrupted)"}: ` +
        `close it first with slipway abort --stack ${a.stack}${open.status === "held" ? " --force" : ""}, then roll back`,
    );
  const done = completedVersions(entries);
  if (a.to !== undefined && !done.includes(a.to))
    throw new InputError(
      `--to ${a.to}: ${a.stack} never completed a promotion of ${a.to}` +
        (done.length
          ? ` (it completed ${done.join(", ")}): give one of those`
          : ": its journal has no completed promotion"),
    );
  // A rollback whose driver stopped is finished first, under the lock: by default this one goes where it went.
  const interrupted = openRollback(entries);
  if (interrupted !== undefined && (a.to === undefined || a.to === interrupted.to)) {
    if (a.restoreDatabase && interrupted.restoreFrom === undefined)
      throw new InputError(
        `--restore-database: rollback ${interrupted.rollbackId} to ${interrupted.to} stopped before its end and restores no database: ` +
          "drop --restore-database to finish it, then restore the database by hand",
      );
    const { from, to, restoreFrom } = interrupted;
    return { from, to, restoreFrom };
  }
  const to = a.to ?? previousGood(entries, from, canariedServices(c));
  if (to === undefined)
    throw new InputError(
      `${a.stack}: no earlier good release to return to: its journal shows no completed promotion of another version than ${from}; ` +
        "name one with --to, or promote a fix",
    );
  if (servesOnly(r, to))
    throw new InputError(
      `${a.stack} already serves ${to} on every service: nothing to roll back; name another version with --to`,
    );
  return { from, to, restoreFrom: a.restoreDatabase ? restoreOf(a.stack, c, entries, from) : undefined };
}
