// The journal writer: every entry a command writes goes through `appendEntry`, so whatever every entry must carry
// (a hash chain, an audit hook) is added in one place.
import type { JournalEntry, StackState } from "./store";

export type Note = Omit<JournalEntry, "at" | "promotionId" | "stack">;
export type Journal = (e: Note) => Promise<void>;

export async function appendEntry(state: StackState, entry: JournalEntry): Promise<void> {
  await state.append(entry);
}

/** Entries of one promotion (or command) on one stack, stamped with the clock's time. */
export function journal(
  d: { clock: { now(): number } },
  state: StackState,
  stack: string,
  promotionId: string,
): Journal {
  return (e) => appendEntry(state, { at: new Date(d.clock.now()).toISOString(), promotionId, stack, ...e });
}
