// The file store's journal: journal.jsonl, one JSON line per entry, appended with one O_APPEND write. A driver killed
// mid-write can leave a torn last line (no newline, not a whole entry). Reading reports it and leaves it out; the next
// append moves those bytes to journal.torn-<time> beside the journal (nothing is lost), cuts the journal back to its
// last intact entry, says so, and continues the chain from there.
import * as fs from "fs";
import * as path from "path";
import { headOf, seal, StoredRecord } from "./chain";
import { JOURNAL_FIX, JournalEntrySchema, notAFile, parseEntry } from "./schema";
import type { JournalEntry, JournalMark } from "./store";

export interface JournalText {
  records: StoredRecord[];
  /** Bytes after the last newline that are not a whole entry (a write cut short), and where they start in bytes. */
  torn?: { offset: number; text: string };
  /** The last line is a whole entry without its newline: the next append adds the newline first. */
  unterminated?: boolean;
}

function wholeEntry(text: string): boolean {
  try {
    return JournalEntrySchema.safeParse(JSON.parse(text)).success;
  } catch {
    return false;
  }
}

/** Splits a journal's text into its records and, when the write of the last one was cut short, the torn tail. */
export function splitJournal(text: string): JournalText {
  const cut = text.lastIndexOf("\n") + 1;
  const rest = text.slice(cut);
  const torn = rest.trim() !== "" && !wholeEntry(rest);
  const body = torn ? text.slice(0, cut) : text;
  const records = body
    .split("\n")
    .flatMap((line, i) => (line.trim() === "" ? [] : [{ ref: `journal.jsonl:${i + 1}`, text: line }]));
  return torn
    ? { records, torn: { offset: Buffer.byteLength(body, "utf8"), text: rest } }
    : { records, unterminated: rest.trim() !== "" };
}

export class FileJournal {
  constructor(
    readonly file: string,
    private readonly warn: (message: string) => void,
  ) {}

  async load(): Promise<JournalText> {
    try {
      return splitJournal(await fs.promises.readFile(this.file, "utf8"));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return { records: [] };
      if (code === "EISDIR") throw notAFile(this.file, "the journal", `move it away; ${JOURNAL_FIX}`);
      throw err;
    }
  }

  private tornNote(j: JournalText): string {
    return `the journal ${this.file} ends in a torn line (${j.torn!.text.length} bytes after entry ${j.records.length}, a write cut short)`;
  }

  async records(): Promise<StoredRecord[]> {
    return (await this.load()).records;
  }

  async read(): Promise<JournalEntry[]> {
    const j = await this.load();
    if (j.torn) this.warn(`${this.tornNote(j)}; left out; the next append moves it to a journal.torn-* file`);
    return j.records.map((r) => parseEntry(`${path.dirname(this.file)}/${r.ref}`, r.text));
  }

  async mark(): Promise<JournalMark> {
    const { records } = await this.load();
    const head = headOf(records);
    return { entries: records.length, ...(head ? { head } : {}) };
  }

  async append(entry: JournalEntry): Promise<void> {
    await fs.promises.mkdir(path.dirname(this.file), { recursive: true });
    const j = await this.load();
    if (j.torn) await this.quarantine(j);
    const texts = j.records.map((r) => r.text);
    const lines = (await seal(entry, texts.at(-1), async () => texts)).map((r) => `${JSON.stringify(r)}\n`).join("");
    // One write with O_APPEND: concurrent readers never see half an entry on a local file system.
    await fs.promises.appendFile(this.file, `${j.unterminated ? "\n" : ""}${lines}`, { flag: "a" });
  }

  /** Moves the torn bytes to journal.torn-<time> (created exclusively) and cuts the journal back to its last entry. */
  private async quarantine(j: JournalText): Promise<void> {
    const aside = `${path.join(path.dirname(this.file), "journal.torn")}-${new Date().toISOString().replace(/[:.]/g, "")}`;
    await fs.promises.writeFile(aside, j.torn!.text, { flag: "wx" });
    await fs.promises.truncate(this.file, j.torn!.offset);
    this.warn(
      `${this.tornNote(j)}: moved those bytes to ${aside} and continued the chain from entry ${j.records.length}; ` +
        "look at that file: if it held a whole entry, the journal lost nothing else",
    );
  }
}
