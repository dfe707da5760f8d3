// What `slipway audit verify` and the stage check trust: the journal's hash chain (./chain.ts), cross-checked against
// the release record's versions, each of which marks how long the journal was and its last hash when it was written.
// A chain cut short at its tail, or a journal deleted, is internally consistent; the record still remembers it.
import { broken, headOf, StoredRecord, Verification, verifyChain } from "./chain";
import type { ReleaseRecord, StackState } from "./store";

/** The first record version whose mark the journal no longer reaches, as a broken verification. */
export function crossCheck(
  records: readonly StoredRecord[],
  history: readonly ReleaseRecord[],
  v: Verification,
): Verification {
  for (const r of history) {
    const mark = r.journal;
    if (mark === undefined || mark.entries === 0) continue;
    const at = `release record version ${r.seq} (${r.updatedAt}, ${r.command} ${r.writtenBy})`;
    if (records.length === 0)
      return broken(
        records,
        0,
        "deleted",
        `the journal is empty, but ${at} was written after its entry ${mark.entries}: the journal was deleted`,
        v.adopted,
      );
    if (mark.entries > records.length)
      return broken(
        records,
        records.length - 1,
        "truncated",
        `${at} was written after entry ${mark.entries}, but the journal ends at entry ${records.length}: its tail was cut off`,
        v.adopted,
      );
    const seen = headOf([records[mark.entries - 1]]);
    if (mark.head !== undefined && seen !== mark.head)
      return broken(
        records,
        mark.entries - 1,
        "rewritten",
        `${at} saw entry ${mark.entries} with hash ${mark.head.slice(0, 12)}, which is not the entry there now`,
        v.adopted,
      );
  }
  return v;
}

/** The stack's journal verified on its own and against every stored version of the release record. */
export async function verifyStack(state: StackState, anchor?: string): Promise<Verification> {
  const records = await state.records();
  const v = verifyChain(records, anchor);
  if (!v.ok) return v;
  const history = state.releaseHistory
    ? await state.releaseHistory()
    : [(await state.readRelease())?.record].filter((r): r is ReleaseRecord => r !== undefined);
  return crossCheck(records, history, v);
}
