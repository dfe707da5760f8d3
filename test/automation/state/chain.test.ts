// The journal's hash chain on both stores: each kind of tampering is found at the entry where it happened.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DeleteObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { headOf, seal, verifyChain } from "../../../automation/state/chain";
import { FileStackState } from "../../../automation/state/file";
import type { JournalEntry, StackState } from "../../../automation/state/store";
import { parseS3Backend, S3StackState } from "../../../automation/state/s3";
import { BUCKET, s3TestServer, type S3TestServer } from "./s3server";

const entry = (i: number, extra: Partial<JournalEntry> = {}): JournalEntry => ({
  at: `2026-11-22T08:00:${String(i).padStart(2, "0")}Z`,
  promotionId: "p1",
  stack: "prod",
  event: "outcome",
  action: "step",
  step: i,
  weight: i * 10,
  ok: true,
  ...extra,
});

/** Raw access to a store's records, as someone with write access to the backend has it. */
interface Raw {
  texts(): Promise<string[]>;
  set(i: number, text: string): Promise<void>;
  remove(i: number): Promise<void>;
  /** Appends a record as its own line / object, bypassing the store. */
  add(text: string): Promise<void>;
}
interface Kind {
  name: string;
  make(): Promise<{ state: StackState; raw: Raw }>;
}

function fileKind(): Kind {
  return {
    name: "file store",
    make: async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-chain-"));
      const file = path.join(dir, "journal.jsonl");
      const lines = () =>
        fs
          .readFileSync(file, "utf8")
          .split("\n")
          .filter((l) => l !== "");
      const write = (l: string[]) => fs.writeFileSync(file, l.map((x) => `${x}\n`).join(""));
      const raw: Raw = {
        texts: async () => (fs.existsSync(file) ? lines() : []),
        set: async (i, t) => write(lines().map((l, j) => (j === i ? t : l))),
        remove: async (i) => write(lines().filter((_, j) => j !== i)),
        add: async (t) => (fs.mkdirSync(dir, { recursive: true }), fs.appendFileSync(file, `${t}\n`)),
      };
      return { state: new FileStackState(dir, os.hostname()), raw };
    },
  };
}

function s3Kind(server: () => S3TestServer): Kind {
  let n = 0;
  return {
    name: "S3 store",
    make: async () => {
      const s3 = server();
      const dir = `.slipway/slipway/chain${++n}`;
      const state = new S3StackState(
        parseS3Backend(`s3://${BUCKET}/chain-team?endpoint=${s3.endpoint}&s3ForcePathStyle=true&region=us-east-1`),
        dir,
        "runner-a",
        { client: async () => s3.client },
      );
      const keys = async () => (await state.records()).map((r) => r.ref);
      const put = (Key: string, Body: string) => s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body }));
      const raw: Raw = {
        texts: async () => (await state.records()).map((r) => r.text),
        set: async (i, t) => void (await put((await keys())[i], t)),
        remove: async (i) =>
          void (await s3.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: (await keys())[i] }))),
        add: async (t) => {
          const last = (await keys()).at(-1);
          const seq = last ? Number(/(\d+)\.json$/.exec(last)![1]) + 1 : 1;
          await put(`chain-team/${dir}/journal/${String(seq).padStart(10, "0")}.json`, t);
        },
      };
      return { state, raw };
    },
  };
}

let s3: S3TestServer | undefined;
const KINDS = [fileKind(), s3Kind(() => s3!)];

async function journalOf(kind: Kind, n = 5) {
  const { state, raw } = await kind.make();
  for (let i = 0; i < n; i++) await state.append(entry(i));
  return { state, raw };
}
const verify = async (state: StackState) => verifyChain(await state.records());

for (const kind of KINDS) {
  describe(`#journal-hash-chain on the ${kind.name}: changed, broken, deleted, swapped and forged entries`, function () {
    this.timeout(600_000);
    before(async () => (s3 = await s3TestServer()));
    const journal = (n?: number) => journalOf(kind, n);

    it("verifies a journal written by the store, each entry linked to the one before", async () => {
      const { state } = await journal();
      const v = await verify(state);
      assert.deepEqual([v.ok, v.entries, v.adopted], [true, 5, 0]);
      const last = JSON.parse((await state.records())[4].text);
      assert.equal(v.head, last.chain.hash);
      assert.equal(last.chain.n, 4);
      assert.deepEqual(
        (await state.read()).map((e) => e.step),
        [0, 1, 2, 3, 4],
        "read() still returns the entries",
      );
    });

    it("finds one flipped byte at the entry that holds it", async () => {
      const { state, raw } = await journal();
      const text = (await raw.texts())[2];
      await raw.set(2, text.replace('"weight":20', '"weight":90'));
      const v = await verify(state);
      assert.deepEqual([v.ok, v.broken?.index, v.broken?.problem], [false, 2, "changed"]);
    });

    it("finds a byte that breaks the JSON at that entry", async () => {
      const { state, raw } = await journal();
      await raw.set(1, (await raw.texts())[1].replace("{", "["));
      assert.deepEqual([(await verify(state)).broken?.index, (await verify(state)).broken?.problem], [1, "changed"]);
    });

    it("finds a deleted entry at the entry after the gap", async () => {
      const { state, raw } = await journal();
      await raw.remove(2);
      const v = await verify(state);
      assert.deepEqual([v.broken?.index, v.broken?.problem], [2, "removed"]);
      assert.match(v.broken!.detail, /entries 2\.\.2 before it are missing/);
    });

    it("finds two swapped entries at the first of them", async () => {
      const { state, raw } = await journal();
      const t = await raw.texts();
      await raw.set(1, t[3]);
      await raw.set(3, t[1]);
      const v = await verify(state);
      assert.deepEqual([v.broken?.index, v.broken?.problem], [1, "reordered"]);
    });

    it("finds a forged appended entry that copies the last link", async () => {
      const { state, raw } = await journal();
      const last = JSON.parse((await raw.texts())[4]);
      const forged = {
        ...last,
        step: 5,
        weight: 100,
        approvedBy: "mallory",
        chain: { ...last.chain, n: 5, prev: last.chain.hash },
      };
      await raw.add(JSON.stringify(forged));
      const v = await verify(state);
      assert.deepEqual([v.broken?.index, v.broken?.problem], [5, "changed"]);
    });
  });

  describe(`#journal-hash-chain on the ${kind.name}: insertions, removals at the start, rewrites and adoption`, function () {
    this.timeout(600_000);
    before(async () => (s3 = await s3TestServer()));
    const journal = (n?: number) => journalOf(kind, n);

    it("finds a forged appended entry without a link, and does not launder it into the chain on the next append", async () => {
      const { state, raw } = await journal();
      await raw.add(JSON.stringify(entry(5, { approvedBy: "mallory" })));
      await state.append(entry(6));
      const v = await verify(state);
      assert.deepEqual([v.broken?.index, v.broken?.problem], [5, "inserted"]);
    });

    it("finds the first entries removed at the entry that now comes first", async () => {
      const { state, raw } = await journal();
      await raw.remove(0);
      await raw.remove(0);
      const v = await verify(state);
      assert.deepEqual([v.broken?.index, v.broken?.problem], [0, "removed"]);
    });

    it("finds a chain rewritten with every later hash recomputed only against a head kept outside the backend", async () => {
      const { state, raw } = await journal();
      const kept = headOf(await state.records())!;
      const entries = (await raw.texts()).map((t) => JSON.parse(t));
      entries[2].weight = 90;
      for (let i = entries.length - 1; i >= 0; i--) await raw.remove(i);
      let last: string | undefined;
      for (const e of entries) {
        const { chain: _c, ...plain } = e;
        for (const r of await seal(plain, last, async () => [])) await raw.add((last = JSON.stringify(r)));
      }
      assert.equal((await verify(state)).ok, true, "without an anchor a full recomputation is consistent");
      const v = verifyChain(await state.records(), kept);
      assert.deepEqual([v.ok, v.broken?.problem], [false, "rewritten"]);
      assert.equal(verifyChain(await (await journal()).state.records(), undefined).ok, true);
    });

    it("adopts a journal written before the chain with a marked genesis entry that pins the old entries", async () => {
      const { state, raw } = await kind.make();
      for (let i = 0; i < 3; i++) await raw.add(JSON.stringify(entry(i)));
      const before = await verify(state);
      assert.deepEqual([before.ok, before.broken?.problem], [false, "unchained"]);
      await state.append(entry(3));
      const records = (await raw.texts()).map((t) => JSON.parse(t));
      assert.deepEqual(
        records.map((r) => r.event),
        ["outcome", "outcome", "outcome", "genesis", "outcome"],
      );
      assert.equal(records[3].chain.adopted, 3);
      const v = await verify(state);
      assert.deepEqual([v.ok, v.entries, v.adopted], [true, 5, 3]);
      await raw.set(1, JSON.stringify(entry(1, { approvedBy: "mallory" })));
      const after = await verify(state);
      assert.deepEqual([after.broken?.index, after.broken?.problem], [3, "changed"]);
      assert.match(after.broken!.detail, /entries before the genesis no longer match its digest/);
    });
  });
}
