// The journal checked against the release record, on both stores: each record version marks how long the journal was
// (and its last hash) when it was written, so a tail cut off or a journal deleted is found even though what is left
// of the chain is internally consistent.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { headOf } from "../../../automation/state/chain";
import { FileStackState } from "../../../automation/state/file";
import { verifyStack } from "../../../automation/state/integrity";
import { parseS3Backend, S3StackState } from "../../../automation/state/s3";
import type { JournalEntry, ReleaseRecord, StackState } from "../../../automation/state/store";
import { BUCKET, s3TestServer } from "./s3server";

const entry = (step: number): JournalEntry => ({
  at: `2026-12-01T10:00:0${step}Z`,
  promotionId: "p1",
  stack: "dev",
  event: "outcome",
  action: "step",
  step,
});
const record = (seq: number): ReleaseRecord => ({
  seq,
  stack: "dev",
  updatedAt: "2026-12-01T10:00:00Z",
  writtenBy: "p1",
  command: "promote",
  release: { stableVersion: "1.0.0", serviceVersions: {}, canaryVersion: "", canaryWeight: 0, canaryServices: [] },
});

interface Kind {
  name: string;
  /** A store, and a way to delete its journal's last `n` entries (all when n is undefined) behind its back. */
  make(): Promise<{ state: StackState; cut(n?: number): Promise<void> }>;
}
let k = 0;
const KINDS: Kind[] = [
  {
    name: "file store",
    make: async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-integrity-"));
      const file = path.join(dir, "journal.jsonl");
      const cut = async (n?: number) => {
        const lines = fs
          .readFileSync(file, "utf8")
          .split("\n")
          .filter((l) => l !== "");
        fs.writeFileSync(
          file,
          n === undefined
            ? ""
            : lines
                .slice(0, lines.length - n)
                .map((l) => `${l}\n`)
                .join(""),
        );
      };
      return { state: new FileStackState(dir, "h"), cut };
    },
  },
  {
    name: "S3 store",
    make: async () => {
      const s3 = await s3TestServer();
      const b = parseS3Backend(
        `s3://${BUCKET}/integrity-${process.pid}-${++k}?endpoint=${s3.endpoint}&s3ForcePathStyle=true`,
      );
      const state = new S3StackState(b, ".slipway/slipway/dev", "h", { client: async () => s3.client });
      const cut = async (n?: number) => {
        const keys = (await state.records()).map((r) => r.ref);
        for (const Key of keys.slice(n === undefined ? 0 : keys.length - n))
          await s3.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key }));
      };
      return { state, cut };
    },
  },
];

for (const kind of KINDS) {
  describe(`#journal-against-record on the ${kind.name}`, function () {
    this.timeout(600_000);
    async function written() {
      const s = await kind.make();
      const v1 = await s.state.writeRelease(record(1), undefined);
      for (let i = 1; i <= 4; i++) await s.state.append(entry(i));
      await s.state.writeRelease(record(2), v1);
      await s.state.append(entry(5));
      return s;
    }

    it("marks each record version with the journal's length and head, and verifies an untouched journal", async () => {
      const { state } = await written();
      assert.deepEqual((await state.readRelease())?.record.journal?.entries, 4);
      assert.equal((await verifyStack(state)).ok, true);
    });

    it("finds a tail cut off behind the newest record version", async () => {
      const { state, cut } = await written();
      await cut(2);
      const v = await verifyStack(state);
      assert.deepEqual([v.ok, v.broken?.problem], [false, "truncated"]);
      assert.match(
        v.broken!.detail,
        /release record version 2 .* was written after entry 4, but the journal ends at entry 3/,
      );
    });

    it("finds a journal deleted while record versions remain", async () => {
      const { state, cut } = await written();
      await cut();
      const v = await verifyStack(state);
      assert.deepEqual([v.ok, v.broken?.problem], [false, "deleted"]);
    });

    it("finds entries cut after the newest record version only against a head kept outside (no record saw them)", async () => {
      const { state, cut } = await written();
      const head = headOf(await state.records())!;
      await cut(1);
      assert.equal((await verifyStack(state)).ok, true);
      assert.equal((await verifyStack(state, head)).broken?.problem, "rewritten");
    });
  });
}
