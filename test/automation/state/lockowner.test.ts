// A lock belongs to its holder: release() of a lock another driver has since taken over leaves that lock in place,
// and a driver whose lock was taken over writes nothing more (the fencing token), on both stores.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LockedError } from "../../../automation/errors";
import { FileStackState } from "../../../automation/state/file";
import { parseS3Backend, S3StackState } from "../../../automation/state/s3";
import type { LockHolder, Release, StackState } from "../../../automation/state/store";
import { BUCKET, s3TestServer } from "./s3server";

const HOST = "ci-1";
const holder = (promotionId: string, pid: number): LockHolder => ({
  pid,
  host: HOST,
  startedAt: "2026-12-01T10:00:00Z",
  promotionId,
  command: "promote",
});
const release: Release = {
  stableVersion: "1.0.0",
  serviceVersions: {},
  canaryVersion: "",
  canaryWeight: 0,
  canaryServices: [],
};

interface Kind {
  name: string;
  /** A runner's view of one shared stack; `dead` lists the pids it finds dead on HOST. */
  make(): Promise<(dead: number[]) => StackState>;
}
let s3n = 0;
const KINDS: Kind[] = [
  {
    name: "file store",
    make: async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-owner-"));
      return (dead) => new FileStackState(dir, HOST, (pid) => !dead.includes(pid));
    },
  },
  {
    name: "S3 store",
    make: async () => {
      const s3 = await s3TestServer();
      const b = parseS3Backend(
        `s3://${BUCKET}/owner-${process.pid}-${++s3n}?endpoint=${s3.endpoint}&s3ForcePathStyle=true`,
      );
      return (dead) =>
        new S3StackState(b, ".slipway/slipway/dev", HOST, {
          client: async () => s3.client,
          alive: (p) => !dead.includes(p),
        });
    },
  },
];

for (const kind of KINDS) {
  describe(`#lock-owner on the ${kind.name}`, function () {
    this.timeout(600_000);
    let store: (dead: number[]) => StackState;
    beforeEach(async () => (store = await kind.make()));

    it("leaves in place a lock another driver took over when the first holder releases", async () => {
      const a = store([]);
      const releaseA = await a.acquire(holder("a", 1), () => undefined);
      const b = store([1]);
      let stale = "";
      const releaseB = await b.acquire(holder("b", 2), (s) => (stale = s.promotionId));
      assert.equal(stale, "a");
      await releaseA();
      assert.equal((await b.holder())?.promotionId, "b", "a's release left b's lock in place");
      await releaseB();
      assert.equal(await b.holder(), undefined);
    });

    it("refuses, writing nothing, a journal entry or record version from a holder whose lock was taken over", async () => {
      const a = store([]);
      await a.acquire(holder("a", 1), () => undefined);
      await a.append({ at: "2026-12-01T10:00:00Z", promotionId: "a", stack: "dev", event: "start", action: "promote" });
      await store([1]).acquire(holder("b", 2), () => undefined);
      await assert.rejects(
        a.append({ at: "2026-12-01T10:01:00Z", promotionId: "a", stack: "dev", event: "end", action: "promote" }),
        (err: unknown) =>
          err instanceof LockedError && /no longer this driver's .*took it over; nothing was written/.test(err.message),
      );
      const rec = { seq: 1, stack: "dev", updatedAt: "t", writtenBy: "a", command: "promote", release };
      await assert.rejects(a.writeRelease(rec, undefined), LockedError);
      assert.deepEqual(
        (await a.read()).map((e) => e.event),
        ["start"],
      );
      assert.equal(await a.readRelease(), undefined);
    });

    it("gives every new holder a larger fencing token, across releases and takeovers", async () => {
      const tokens: number[] = [];
      const tokenOf = async (s: StackState) => (await lockText(s)).token as number;
      for (let i = 0; i < 3; i++) {
        const s = store([]);
        const rel = await s.acquire(holder(`p${i}`, 1), () => undefined);
        tokens.push(await tokenOf(s));
        await rel();
      }
      await store([]).acquire(holder("q", 1), () => undefined);
      await store([1]).acquire(holder("r", 2), () => undefined);
      tokens.push(await tokenOf(store([])));
      assert.deepEqual(
        [...tokens].sort((x, y) => x - y),
        tokens,
      );
      assert.equal(new Set(tokens).size, tokens.length, JSON.stringify(tokens));
    });
  });
}

/** The lock as stored, read the way an operator would. */
async function lockText(s: StackState): Promise<Record<string, unknown>> {
  if (s instanceof FileStackState) return JSON.parse(fs.readFileSync(path.join(s.location, "lock"), "utf8"));
  const { GetObjectCommand } = await import("@aws-sdk/client-s3");
  const key = `${s.location.replace(`s3://${BUCKET}/`, "")}/lock`;
  const got = await (await s3TestServer()).client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return JSON.parse(await got.Body!.transformToString());
}

describe("#lock-owner on the file store: claims", () => {
  it("keeps only the last claims beside the lock, however many commands took and released it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-claims-"));
    for (let i = 0; i < 8; i++)
      await (
        await new FileStackState(dir, HOST).acquire(holder(`p${i}`, 1), () => undefined)
      )();
    const claims = fs.readdirSync(path.join(dir, "lock.ended"));
    assert.ok(claims.length <= 2, JSON.stringify(claims));
    const next = await new FileStackState(dir, HOST).acquire(holder("p8", 1), () => undefined);
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, "lock"), "utf8")).token, 9, "the token still grows");
    await next();
  });
});
