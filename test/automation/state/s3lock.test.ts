// The S3 lock against a real S3-compatible server on 127.0.0.1 (tools/s3-test-server.sh installs and runs it):
// exactly one holder, release of one's own lock only, leases, heartbeat and takeover.
import { strict as assert } from "assert";
import { DeleteObjectCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { exitCodeOf, EXIT, LockedError } from "../../../automation/errors";
import type { LockHolder } from "../../../automation/state/store";
import { parseS3Backend, S3StackState } from "../../../automation/state/s3";
import { BUCKET } from "./s3server";
import { entry, holder, noStale, s3Fixture } from "./s3fixture";

describe("S3 lock: exclusion and release (real S3-compatible server)", function () {
  const f = s3Fixture();

  it("lets exactly one of two concurrent drivers take the lock; the other exits 5", async () => {
    const results = await Promise.allSettled([
      f.store("runner-a").acquire(holder("a", "runner-a"), noStale),
      f.store("runner-b").acquire(holder("b", "runner-b"), noStale),
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
    const a = f.store("runner-a");
    const release = await a.acquire(holder("a", "runner-a", 111), noStale);
    assert.deepEqual(await f.store("runner-b").holder(), {
      ...holder("a", "runner-a", 111),
      startedAt: (await a.holder())!.startedAt,
    });
    await release();
    assert.equal(await a.holder(), undefined);
    const again = await f.store("runner-b").acquire(holder("b", "runner-b"), noStale);
    assert.equal((await a.holder())?.promotionId, "b");
    await again();
  });

  it("refuses a lock whose lease is live, naming the holder and when the lease expires", async () => {
    const release = await f.store("runner-a", { leaseMs: 600_000 }).acquire(holder("a", "runner-a"), noStale);
    await assert.rejects(
      f.store("runner-b", { leaseMs: 600_000 }).acquire(holder("b", "runner-b"), noStale),
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
          : f.raw.send(cmd as never),
    } as unknown as S3Client;
    const a = f.store("runner-a", { client: async () => noConditionalDelete });
    const release = await a.acquire(holder("a", "runner-a"), noStale);
    await release();
    assert.equal(await a.holder(), undefined);
    const releaseA = await a.acquire(holder("a2", "runner-a"), noStale);
    await f.store("runner-b", { now: () => Date.now() + 3_600_000 }).acquire(holder("b", "runner-b"), noStale);
    await releaseA();
    assert.equal((await a.holder())?.promotionId, "b");
  });
});

describe("S3 lock: leases, takeover and backend errors (real S3-compatible server)", function () {
  const f = s3Fixture();

  it("reports a missing bucket as an engine error naming the backend", async () => {
    const state = new S3StackState(
      parseS3Backend(`s3://no-such-bucket-here/x?endpoint=${f.endpoint}&s3ForcePathStyle=true`),
      "d",
      "h",
      { client: async () => f.raw },
    );
    await assert.rejects(
      state.append(entry("a", 1)),
      /listing the journal on s3:\/\/no-such-bucket-here\/x\?endpoint=.* failed: NoSuchBucket/,
    );
  });

  it("takes over a lock not renewed within its lease, with a write conditional on its ETag", async () => {
    const lease = 60_000;
    const releaseA = await f.store("runner-a", { leaseMs: lease }).acquire(holder("a", "runner-a"), noStale);
    // runner-b's clock is past runner-a's lease: runner-a stopped renewing (its runner died).
    const later = f.store("runner-b", { leaseMs: lease, now: () => Date.now() + lease + 5_000 });
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
    await f.store("runner-a", { leaseMs: lease }).acquire(holder("a", "runner-a"), noStale);
    const future = () => Date.now() + lease + 5_000;
    const results = await Promise.allSettled([
      f.store("runner-b", { leaseMs: lease, now: future }).acquire(holder("b", "runner-b"), noStale),
      f.store("runner-c", { leaseMs: lease, now: future }).acquire(holder("c", "runner-c"), noStale),
    ]);
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    const lost = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    assert.ok(lost?.reason instanceof LockedError, String(lost?.reason));
  });

  it("keeps a held lock renewed, so a live holder is never taken over after its first lease", async () => {
    const lease = 2_000;
    const a = f.store("runner-a", { leaseMs: lease });
    const release = await a.acquire(holder("a", "runner-a"), noStale);
    const first = await readRecord(a);
    await new Promise((r) => setTimeout(r, lease + 700));
    const renewed = await readRecord(a);
    assert.ok(Date.parse(renewed.updatedAt) > Date.parse(first.updatedAt), "the heartbeat renewed updatedAt");
    await assert.rejects(
      f.store("runner-b", { leaseMs: lease }).acquire(holder("b", "runner-b"), noStale),
      LockedError,
    );
    await release();
    assert.equal(await a.holder(), undefined);
  });

  it("takes over at once a lock whose pid is dead on this same host", async () => {
    await f.store("ci-1", { alive: () => true }).acquire(holder("a", "ci-1", 1), noStale);
    let stale = "";
    const release = await f
      .store("ci-1", { alive: (pid) => pid !== 1 })
      .acquire(holder("b", "ci-1", 2), (s) => (stale = s.promotionId));
    assert.equal(stale, "a");
    await release();
  });

  async function readRecord(s: S3StackState): Promise<{ updatedAt: string }> {
    const key = `${s.location.replace(`s3://${BUCKET}/`, "")}/lock`;
    const got = await f.raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return JSON.parse(await got.Body!.transformToString()) as { updatedAt: string };
  }
});
