// The S3 journal and lock against a real S3-compatible server on 127.0.0.1 (tools/s3-test-server.sh installs and
// runs it). Nothing here is skipped: a server that cannot start fails the suite with the reason.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as os from "os";
import * as path from "path";
import { DeleteObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { exitCodeOf, EXIT, InputError, LockedError } from "../../../automation/errors";
import { stateStoreFor } from "../../../automation/state/backend";
import type { JournalEntry, LockHolder } from "../../../automation/state/store";
import { parseLease, parseS3Backend, S3StackState, type S3StateOptions } from "../../../automation/state/s3";

import { BUCKET, s3TestServer } from "./s3server";

const ROOT = path.resolve(__dirname, "../../..");

const holder = (promotionId: string, host: string, pid = 4242): LockHolder => ({
  pid,
  host,
  startedAt: new Date().toISOString(),
  promotionId,
  command: "promote",
});
const entry = (promotionId: string, step: number): JournalEntry => ({
  at: new Date().toISOString(),
  promotionId,
  stack: "dev",
  event: "intent",
  action: "step",
  step,
  weight: step * 10,
});
const noStale = () => undefined;

describe("S3 journal and lock (real S3-compatible server)", function () {
  let endpoint = "";
  let raw: S3Client;
  let n = 0;
  /** Every lock taken, released after each test so no heartbeat outlives it. */
  const held: (() => Promise<void>)[] = [];
  /** A fresh stack directory per test, so tests never see each other's journal or lock. */
  const store = (host: string, opts: S3StateOptions = {}, dir = `.slipway/slipway/t${n}`) => {
    const state = new S3StackState(
      parseS3Backend(`s3://${BUCKET}/team?endpoint=${endpoint}&s3ForcePathStyle=true&region=us-east-1`),
      dir,
      host,
      {
        client: async () => raw,
        alive: () => true,
        ...opts,
      },
    );
    const acquire = state.acquire.bind(state);
    state.acquire = async (h, onStale) => {
      const release = await acquire(h, onStale);
      held.push(release);
      return release;
    };
    return state;
  };

  before(async function () {
    this.timeout(600_000);
    ({ endpoint, client: raw } = await s3TestServer());
  });

  beforeEach(() => {
    n += 1;
  });

  afterEach(async () => {
    await Promise.all(held.splice(0).map((release) => release()));
  });

  describe("journal", () => {
    it("reads entries back in the order they were appended, one object per entry beside the state", async () => {
      const state = stateStoreFor(
        `s3://${BUCKET}/team?region=us-east-1&endpoint=${endpoint}&s3ForcePathStyle=true`,
        "slipway",
        "runner-a",
      )(`j${n}`);
      assert.deepEqual(await state.read(), []);
      for (let i = 1; i <= 12; i++) await state.append(entry("p1", i));
      assert.deepEqual(
        (await state.read()).map((e) => e.step),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      );
      const listed = await raw.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `team/.slipway/slipway/j${n}/` }),
      );
      assert.deepEqual(listed.Contents?.map((o) => o.Key).slice(0, 2), [
        `team/.slipway/slipway/j${n}/journal/0000000001.json`,
        `team/.slipway/slipway/j${n}/journal/0000000002.json`,
      ]);
      assert.equal(state.location, `s3://${BUCKET}/team/.slipway/slipway/j${n}`);
    });

    it("loses no entry when two runners append at once, and keeps each runner's order", async () => {
      const a = store("runner-a");
      const b = store("runner-b");
      await Promise.all([
        (async () => {
          for (let i = 1; i <= 8; i++) await a.append(entry("a", i));
        })(),
        (async () => {
          for (let i = 1; i <= 8; i++) await b.append(entry("b", i));
        })(),
      ]);
      const read = await store("reader").read();
      assert.equal(read.length, 16);
      assert.deepEqual(
        read.filter((e) => e.promotionId === "a").map((e) => e.step),
        [1, 2, 3, 4, 5, 6, 7, 8],
      );
      assert.deepEqual(
        read.filter((e) => e.promotionId === "b").map((e) => e.step),
        [1, 2, 3, 4, 5, 6, 7, 8],
      );
    });

    it("continues the sequence of a journal another runner started", async () => {
      await store("runner-a").append(entry("a", 1));
      await store("runner-b").append(entry("b", 1));
      assert.deepEqual(
        (await store("runner-c").read()).map((e) => e.promotionId),
        ["a", "b"],
      );
    });
  });

  describe("lock", () => {
    it("lets exactly one of two concurrent drivers take the lock; the other exits 5", async () => {
      const results = await Promise.allSettled([
        store("runner-a").acquire(holder("a", "runner-a"), noStale),
        store("runner-b").acquire(holder("b", "runner-b"), noStale),
      ]);
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      assert.equal(won.length, 1);
      assert.equal(lost.length, 1);
      assert.ok(lost[0].reason instanceof LockedError, String(lost[0].reason));
      assert.equal(exitCodeOf(lost[0].reason), EXIT.locked);
      const winner = won[0] as PromiseFulfilledResult<() => Promise<void>>;
      await winner.value();
    });

    it("records the holder and releases by deleting the lock", async () => {
      const a = store("runner-a");
      const release = await a.acquire(holder("a", "runner-a", 111), noStale);
      assert.deepEqual(await store("runner-b").holder(), {
        ...holder("a", "runner-a", 111),
        startedAt: (await a.holder())!.startedAt,
      });
      await release();
      assert.equal(await a.holder(), undefined);
      const again = await store("runner-b").acquire(holder("b", "runner-b"), noStale);
      assert.equal((await a.holder())?.promotionId, "b");
      await again();
    });

    it("refuses a lock whose lease is live, naming the holder and when the lease expires", async () => {
      const release = await store("runner-a", { leaseMs: 600_000 }).acquire(holder("a", "runner-a"), noStale);
      await assert.rejects(
        store("runner-b", { leaseMs: 600_000 }).acquire(holder("b", "runner-b"), noStale),
        (err: unknown) => {
          assert.ok(err instanceof LockedError);
          assert.equal(exitCodeOf(err), EXIT.locked);
          assert.match(
            err.message,
            /locked by promote a \(pid 4242 on runner-a, since .*\), last renewed .*; wait for it to finish \(if that driver is gone, its lease expires within 10 min\)/,
          );
          return true;
        },
      );
      await release();
    });

    it("takes over a lock not renewed within its lease, with a write conditional on its ETag", async () => {
      const lease = 60_000;
      const releaseA = await store("runner-a", { leaseMs: lease }).acquire(holder("a", "runner-a"), noStale);
      // runner-b's clock is past runner-a's lease: runner-a stopped renewing (its runner died).
      const later = store("runner-b", { leaseMs: lease, now: () => Date.now() + lease + 5_000 });
      let stale: LockHolder | undefined;
      const releaseB = await later.acquire(holder("b", "runner-b"), (s) => (stale = s));
      assert.equal(stale?.promotionId, "a");
      assert.equal((await later.holder())?.promotionId, "b");
      // The old holder's release is conditional on its own ETag: it must not delete runner-b's lock.
      await releaseA();
      assert.equal((await later.holder())?.promotionId, "b");
      await releaseB();
      assert.equal(await later.holder(), undefined);
    });

    it("lets only one of two drivers take over the same stale lock", async () => {
      const lease = 60_000;
      await store("runner-a", { leaseMs: lease }).acquire(holder("a", "runner-a"), noStale);
      const future = () => Date.now() + lease + 5_000;
      const results = await Promise.allSettled([
        store("runner-b", { leaseMs: lease, now: future }).acquire(holder("b", "runner-b"), noStale),
        store("runner-c", { leaseMs: lease, now: future }).acquire(holder("c", "runner-c"), noStale),
      ]);
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
      const lost = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      assert.ok(lost?.reason instanceof LockedError, String(lost?.reason));
    });

    it("keeps a held lock renewed, so a live holder is never taken over after its first lease", async () => {
      const lease = 2_000;
      const a = store("runner-a", { leaseMs: lease });
      const release = await a.acquire(holder("a", "runner-a"), noStale);
      const first = await readRecord(a);
      await new Promise((r) => setTimeout(r, lease + 700));
      const renewed = await readRecord(a);
      assert.ok(Date.parse(renewed.updatedAt) > Date.parse(first.updatedAt), "the heartbeat renewed updatedAt");
      await assert.rejects(
        store("runner-b", { leaseMs: lease }).acquire(holder("b", "runner-b"), noStale),
        LockedError,
      );
      await release();
      assert.equal(await a.holder(), undefined);
    });

    it("takes over at once a lock whose pid is dead on this same host", async () => {
      await store("ci-1", { alive: () => true }).acquire(holder("a", "ci-1", 1), noStale);
      let stale = "";
      const release = await store("ci-1", { alive: (pid) => pid !== 1 }).acquire(
        holder("b", "ci-1", 2),
        (s) => (stale = s.promotionId),
      );
      assert.equal(stale, "a");
      await release();
    });

    it("releases on a server without conditional deletes, and still only its own lock", async () => {
      const noConditionalDelete = {
        send: (cmd: { input: { IfMatch?: string } }) =>
          cmd instanceof DeleteObjectCommand && cmd.input.IfMatch !== undefined
            ? Promise.reject(
                Object.assign(new Error("not implemented"), {
                  name: "NotImplemented",
                  $metadata: { httpStatusCode: 501 },
                }),
              )
            : raw.send(cmd as never),
      } as unknown as S3Client;
      const a = store("runner-a", { client: async () => noConditionalDelete });
      const release = await a.acquire(holder("a", "runner-a"), noStale);
      await release();
      assert.equal(await a.holder(), undefined);
      const releaseA = await a.acquire(holder("a2", "runner-a"), noStale);
      await store("runner-b", { now: () => Date.now() + 3_600_000 }).acquire(holder("b", "runner-b"), noStale);
      await releaseA();
      assert.equal((await a.holder())?.promotionId, "b");
    });

    it("reports a missing bucket as an engine error naming the backend", async () => {
      const state = new S3StackState(
        parseS3Backend(`s3://no-such-bucket-here/x?endpoint=${endpoint}&s3ForcePathStyle=true`),
        "d",
        "h",
        { client: async () => raw },
      );
      await assert.rejects(
        state.append(entry("a", 1)),
        /listing the journal on s3:\/\/no-such-bucket-here\/x\?endpoint=.* failed: NoSuchBucket/,
      );
    });
  });

  async function readRecord(s: S3StackState): Promise<{ updatedAt: string }> {
    const { GetObjectCommand } = await import("@aws-sdk/client-s3");
    const key = `${s.location.replace(`s3://${BUCKET}/`, "")}/lock`;
    const got = await raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return JSON.parse(await got.Body!.transformToString()) as { updatedAt: string };
  }
});

describe("S3 backend URLs", () => {
  const refused: [string, RegExp][] = [
    ["s3://", /s3:\/\/: names no bucket; use s3:\/\/<bucket>\[\/<prefix>\]/],
    ["s3:///state", /names no bucket/],
    ["s3://Team_State/x", /"Team_State" is not a valid bucket name/],
    ["s3://ab", /"ab" is not a valid bucket name/],
    ["s3://team-state/a//b", /the prefix "a\/\/b" has an empty/],
    ["s3://team-state/../x", /has an empty, "\." or "\.\." segment/],
    ["s3://team-state?region=EU WEST", /region=EU WEST is not a region name; use e\.g\. region=eu-west-1/],
    [
      "s3://team-state?s3ForcePathStyle=yes",
      /s3ForcePathStyle=yes is not allowed; set s3ForcePathStyle=true or s3ForcePathStyle=false/,
    ],
    ["s3://team-state?endpoint=ftp://files", /endpoint=ftp:\/\/files must be an http or https URL/],
    ["s3://team-state?endpoint=http://", /endpoint=http:\/\/ is not a URL/],
    [
      "s3://team-state?regoin=eu-west-1",
      /unknown option "regoin"; the journal honours region, endpoint, s3ForcePathStyle/,
    ],
  ];
  for (const [url, message] of refused) {
    it(`refuses ${url}`, () => {
      assert.throws(
        () => stateStoreFor(url, "slipway", "h"),
        (err: unknown) => {
          assert.ok(err instanceof InputError);
          assert.match(err.message, message);
          assert.ok(err.message.startsWith(`PULUMI_BACKEND_URL ${url}: `));
          return true;
        },
      );
    });
  }

  it("reads bucket, prefix and the region, endpoint and path-style options", () => {
    assert.deepEqual(
      parseS3Backend(
        "s3://team-state/platform/slipway/?region=eu-west-1&endpoint=minio.internal:9000&disableSSL=true&s3ForcePathStyle=true&awssdk=v2",
      ),
      {
        url: "s3://team-state/platform/slipway/?region=eu-west-1&endpoint=minio.internal:9000&disableSSL=true&s3ForcePathStyle=true&awssdk=v2",
        bucket: "team-state",
        prefix: "platform/slipway",
        region: "eu-west-1",
        endpoint: "http://minio.internal:9000",
        forcePathStyle: true,
      },
    );
    assert.equal(parseS3Backend("s3://team-state").prefix, "");
    assert.equal(parseS3Backend("s3://team-state?endpoint=s3.internal").endpoint, "https://s3.internal");
  });

  it("refuses a lease shorter than 30s or not a duration", () => {
    assert.throws(
      () => stateStoreFor("s3://team-state", "slipway", "h", { SLIPWAY_LOCK_LEASE: "5s" }),
      /SLIPWAY_LOCK_LEASE=5s is not allowed; set a duration of at least 30s, e\.g\. 10m/,
    );
    assert.throws(() => parseLease("ten"), /SLIPWAY_LOCK_LEASE=ten/);
    assert.equal(parseLease("15m"), 900_000);
  });

  it("still refuses other schemes by name when a stack's state is asked for", () => {
    const store = stateStoreFor("https://api.pulumi.com", "slipway", "h");
    assert.throws(
      () => store("dev"),
      /not supported yet on the https backend \(https:\/\/api\.pulumi\.com\); run promotions against a file:\/\/ or s3:\/\/ backend/,
    );
  });

  it("never loads the S3 SDK for a file:// backend", function () {
    this.timeout(60_000);
    const dir = path.join(os.tmpdir(), `slipway-lazy-${process.pid}-${Date.now()}`);
    const script = `
      const { stateStoreFor } = require(${JSON.stringify(path.join(ROOT, "automation/state/backend.ts"))});
      const s = stateStoreFor(${JSON.stringify(`file://${dir}`)}, "slipway", "h")("dev");
      s.append({ at: "t", promotionId: "p", stack: "dev", event: "start", action: "promote" }).then(() => {
        const loaded = Object.keys(require.cache).filter((k) => k.includes("@aws-sdk"));
        process.stdout.write(JSON.stringify(loaded));
      });`;
    const out = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout), []);
  });
});
