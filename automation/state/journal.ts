// The journal writer: every entry a command writes goes through `appendEntry`, so whatever every entry must carry
// (a hash chain, an audit hook) is added in one place.
import type { JournalEntry, StackState } from "./store";

export type Note = Omit<JournalEntry, "at" | "promotionId" | "stack">;
export type Journal = (e: Note) => Promise<void>;

/** Who else hears of each entry: the notifications port (automation/notify/), which never throws. */
export interface Listener {
  notify?(entry: JournalEntry): Promise<void>;
}

export async function appendEntry(state: StackState, entry: JournalEntry, listener?: Listener): Promise<void> {
  await state.append(entry);
  // A notification never blocks or fails the release: the port bounds its time and turns failures into warnings.
  await listener?.notify?.(entry).catch(() => undefined);
}

/** Entries of one promotion (or command) on one stack, stamped with the clock's time. */
export function journal(
  d: { clock: { now(): number } } & Listener,
  state: StackState,
  stack: string,
  promotionId: string,
): Journal {
  return (e) => appendEntry(state, { at: new Date(d.clock.now()).toISOString(), promotionId, stack, ...e }, d);
}
