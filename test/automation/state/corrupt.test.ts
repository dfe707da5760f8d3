// Corrupt state is refused before any command trusts it: exit 1 (InputError), a message naming the file or object
// and the fix; never a bare TypeError, never a silent fallback to the stack file. One table, both stores.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { exitCodeOf, InputError } from "../../../automation/errors";
import { FileStackState, readReleaseSync } from "../../../automation/state/file";
import { parseS3Backend, S3StackState } from "../../../automation/state/s3";
import type { StackState } from "../../../automation/state/store";
import { BUCKET, s3TestServer } from "./s3server";

const ENTRY = { at: "2026-12-01T10:00:00Z", promotionId: "p1", stack: "dev", event: "start", action: "promote" };
const RECORD = {
  seq: 1,
  stack: "dev",
  updatedAt: "2026-12-01T10:00:00Z",
  writtenBy: "p1",
  command: "promote",
  release: { stableVersion: "1.0.0", serviceVersions: {}, canaryVersion: "", canaryWeight: 0, canaryServices: [] },
};
const LOCK = { pid: 1, host: "h", startedAt: "t", promotionId: "p1", command: "promote" };

/** Where a case puts its bad content: a file or object path under the stack's directory, or a directory there. */
type Plant = { at: string; text: string } | { dir: string };
interface Case {
  what: string;
  plant: Plant;
  /** The read that must refuse. */
  act: (s: StackState) => Promise<unknown>;
  message: RegExp;
  /** Only the file store can hold a directory where a file belongs. */
  fileOnly?: boolean;
}

const read = (s: StackState) => s.read();
const readRelease = (s: StackState) => s.readRelease();
const holderOf = (s: StackState) => s.holder();
const take = (s: StackState) => s.acquire({ ...LOCK, host: "me" }, () => undefined);
const journalAt = (s: boolean) => (s ? "journal/0000000001.json" : "journal.jsonl");

const cases = (s3: boolean): Case[] => [
  {
    what: "a null journal line",
    plant: { at: journalAt(s3), text: "null\n" },
    act: read,
    message:
      /the journal entry .*(journal\.jsonl:1|0000000001\.json) is not what slipway writes \(\(the whole value\): .*\); restore the journal/,
  },
  {
    what: "a journal line of the wrong shape",
    plant: { at: journalAt(s3), text: `${JSON.stringify({ ...ENTRY, at: 5, steps: "all" })}\n` },
    act: read,
    message: /the journal entry .* is not what slipway writes \(at: .*; steps: .*\); restore the journal/,
  },
  {
    what: "a journal entry that is not JSON in the middle of the journal",
    plant: { at: journalAt(s3), text: `{"at":\n${JSON.stringify(ENTRY)}\n` },
    act: read,
    message: /the journal entry .* is not JSON \(truncated or overwritten\); restore the journal/,
    fileOnly: true,
  },
  {
    what: "a truncated release record",
    plant: { at: s3 ? "release.json" : "release/0000000001.json", text: '{"seq":1,"sta' },
    act: readRelease,
    message:
      /the release record .*(0000000001\.json|release\.json) is not JSON \(truncated or overwritten\); restore it from a backup .* or delete it/,
  },
  {
    what: "a release record with fields of the wrong types",
    plant: {
      at: s3 ? "release.json" : "release/0000000001.json",
      text: JSON.stringify({ ...RECORD, seq: "1", release: { ...RECORD.release, canaryWeight: "ten" } }),
    },
    act: readRelease,
    message: /the release record .* is not what slipway writes \(seq: .*; release\.canaryWeight: .*\); restore it/,
  },
  {
    what: "a release record whose number disagrees with its file name",
    plant: { at: "release/0000000002.json", text: JSON.stringify(RECORD) },
    act: readRelease,
    message: /the release record .*0000000002\.json says it is version 1, not 2; restore it/,
    fileOnly: true,
  },
  {
    what: "a directory where the release record belongs",
    plant: { dir: "release/0000000001.json" },
    act: readRelease,
    message: /the release record .*0000000001\.json is a directory, not a file; restore it/,
    fileOnly: true,
  },
  {
    what: "a lock of the wrong shape",
    plant: { at: "lock", text: JSON.stringify({ ...LOCK, pid: "one" }) },
    act: holderOf,
    message: /the lock .*lock is not what slipway writes \(pid: .*\); if no promotion runs, delete it/,
  },
  {
    what: "a lock that is not JSON, met while taking it",
    plant: { at: "lock", text: "{" },
    act: take,
    message: /the lock .*lock is not JSON \(truncated or overwritten\); if no promotion runs, delete it/,
  },
  {
    what: "a directory where the lock belongs",
    plant: { dir: "lock" },
    act: take,
    message: /the lock .*lock is a directory, not a file; if no promotion runs, remove that directory/,
    fileOnly: true,
  },
  {
    what: "a file where the lock's claims directory belongs",
    plant: { at: "lock.ended", text: "x" },
    act: take,
    message: /the lock's claims .*lock\.ended is a file, not a directory; if no promotion runs, delete it/,
    fileOnly: true,
  },
];

function refuses(c: Case) {
  return (err: unknown) => {
    assert.ok(err instanceof InputError, `${c.what}: ${String((err as Error)?.stack ?? err)}`);
    assert.equal(exitCodeOf(err), 1);
    assert.match(err.message, c.message);
    return true;
  };
}

describe("#corrupt-state on the file store: refused by name, exit 1", () => {
  for (const c of cases(false)) {
    it(`refuses ${c.what}, naming the file and the fix`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-corrupt-"));
      if ("dir" in c.plant) fs.mkdirSync(path.join(dir, c.plant.dir), { recursive: true });
      else {
        fs.mkdirSync(path.dirname(path.join(dir, c.plant.at)), { recursive: true });
        fs.writeFileSync(path.join(dir, c.plant.at), c.plant.text);
      }
      await assert.rejects(c.act(new FileStackState(dir, "me")), refuses(c));
    });
  }

  it("refuses a corrupt record in the program's synchronous read too, instead of falling back to the stack file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-corrupt-"));
    fs.mkdirSync(path.join(dir, "release"));
    fs.writeFileSync(path.join(dir, "release", "0000000001.json"), "null");
    assert.throws(() => readReleaseSync(dir), /the release record .*0000000001\.json is not what slipway writes/);
  });
});

describe("#corrupt-state on the S3 store: refused by name, exit 1", function () {
  this.timeout(600_000);
  let n = 0;
  for (const c of cases(true).filter((x) => !x.fileOnly)) {
    it(`refuses ${c.what}, naming the object and the fix`, async () => {
      const s3 = await s3TestServer();
      const prefix = `corrupt-${process.pid}-${++n}`;
      const dir = ".slipway/slipway/dev";
      const plant = c.plant as { at: string; text: string };
      await s3.client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${dir}/${plant.at}`, Body: plant.text }),
      );
      const b = parseS3Backend(`s3://${BUCKET}/${prefix}?endpoint=${s3.endpoint}&s3ForcePathStyle=true`);
      await assert.rejects(c.act(new S3StackState(b, dir, "me", { client: async () => s3.client })), refuses(c));
    });
  }
});
