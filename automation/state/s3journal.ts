// The S3 store's journal: <stack dir>/journal/<10-digit sequence>.json, one object per entry. S3 has no append. Each
// entry is its own object, created only if absent (If-None-Match: *) under the next sequence number: two writers
// racing for the same number get one 412, re-list and take the next, so no entry is ever overwritten and the listing
// order (zero-padded keys sort lexically) is the append order. A time-based key would order entries by each runner's
// clock instead, and could collide.
import { EngineError } from "../errors";
import { headOf, seal, StoredRecord } from "./chain";
import type { S3Objects } from "./s3object";
import type { JournalMark } from "./store";

const SEQ_WIDTH = 10;
const ENTRY_KEY = /\/(\d+)\.json$/;

export class S3Journal {
  /** The sequence number the next append tries first; a lost race re-lists. */
  private nextSeq: number | undefined;
  /** The text this process stored at nextSeq - 1, which the next entry's chain link hashes. */
  private tail: string | undefined;

  constructor(
    private readonly objects: S3Objects,
    private readonly dir: string,
    private readonly location: string,
  ) {}

  keyOf(seq: number): string {
    return `${this.dir}/journal/${String(seq).padStart(SEQ_WIDTH, "0")}.json`;
  }

  async append(entry: object & { at: string; stack: string }): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const seq = this.nextSeq ?? (await this.lastSeq()) + 1;
      const last = this.nextSeq !== undefined ? this.tail : seq > 1 ? await this.textAt(seq - 1) : undefined;
      const bodies = (await seal(entry, last, async () => (await this.records()).map((r) => r.text))).map((r) =>
        JSON.stringify(r),
      );
      let written = 0;
      for (const [i, body] of bodies.entries()) {
        const etag = await this.objects.put(this.keyOf(seq + i), body, "writing the journal entry", { create: true });
        if (etag === undefined) break;
        [this.nextSeq, this.tail, written] = [seq + i + 1, body, written + 1];
      }
      if (written === bodies.length) return;
      this.nextSeq = undefined;
    }
    throw new EngineError(`the journal at ${this.location} kept changing under 20 appends in a row; try again`);
  }

  private async textAt(seq: number): Promise<string | undefined> {
    return (await this.objects.get(this.keyOf(seq), `reading ${this.keyOf(seq)}`))?.text;
  }

  private async keys(): Promise<string[]> {
    return (await this.objects.list(`${this.dir}/journal/`, "listing the journal")).filter((k) => ENTRY_KEY.test(k));
  }

  private async lastSeq(): Promise<number> {
    const last = (await this.keys()).at(-1);
    return last === undefined ? 0 : Number(ENTRY_KEY.exec(last)![1]);
  }

  /** Where the journal stands now: the number of its entries and the hash of the last one. */
  async mark(): Promise<JournalMark> {
    if (this.nextSeq !== undefined && this.nextSeq - 1 === (await this.lastSeq())) {
      const head = headOf([{ ref: "", text: this.tail ?? "" }]);
      return { entries: this.nextSeq - 1, ...(head ? { head } : {}) };
    }
    const records = await this.records();
    const head = headOf(records);
    return { entries: records.length, ...(head ? { head } : {}) };
  }

  async records(): Promise<StoredRecord[]> {
    const keys = await this.keys();
    const texts: (string | undefined)[] = new Array(keys.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < keys.length; i = next++)
        texts[i] = (await this.objects.get(keys[i], `reading ${keys[i]}`))?.text;
    };
    await Promise.all(Array.from({ length: Math.min(16, keys.length) }, worker));
    return keys.flatMap((ref, i) => (texts[i] === undefined ? [] : [{ ref, text: texts[i]! }]));
  }
}
