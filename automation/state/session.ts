// What a command holds while it has the stack's lock (./lock.ts): the release as last read or written, the journal
// and the conditional record write. Its own module so that lock.ts and reconcile.ts both use it without a cycle.
import type { Journal } from "./journal";
import type { StackRelease } from "./release";
import type { Release, StackState } from "./store";

export interface StackSession {
  readonly stack: string;
  readonly state: StackState;
  /** The lock holder's id: the promotion id of a new promotion. */
  readonly id: string;
  /** The release as last read or written. */
  rel: StackRelease;
  /** Journal entries under `promotionId` (default: this session's id). */
  note(promotionId?: string): Journal;
  /** Records `release` as the next record version, after the update that applied it. */
  commit(release: Release): Promise<void>;
}
