// The S3 journal against a real S3-compatible server on 127.0.0.1 (tools/s3-test-server.sh installs and runs it).
// Nothing here is skipped: a server that cannot start fails the suite with the reason.
import { strict as assert } from "assert";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { stateStoreFor } from "../../../automation/state/backend";
import { BUCKET } from "./s3server";
import { entry, s3Fixture } from "./s3fixture";

describe("S3 journal (real S3-compatible server)", function () {
  const f = s3Fixture();

  it("reads entries back in the order they were appended, one object per entry beside the state", async () => {
    const state = stateStoreFor(
      `s3://${BUCKET}/team?region=us-east-1&endpoint=${f.endpoint}&s3ForcePathStyle=true`,
      "slipway",
      "runner-a",
    )(`j${f.n}`);
    assert.deepEqual(await state.read(), []);
    for (let i = 1; i <= 12; i++) await state.append(entry("p1", i));
    assert.deepEqual(
      (await state.read()).map((e) => e.step),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    );
    const listed = await f.raw.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `team/.slipway/slipway/j${f.n}/` }),
    );
    assert.deepEqual(listed.Contents?.map((o) => o.Key).slice(0, 2), [
      `team/.slipway/slipway/j${f.n}/journal/0000000001.json`,
      `team/.slipway/slipway/j${f.n}/journal/0000000002.json`,
    ]);
    assert.equal(state.location, `s3://${BUCKET}/team/.slipway/slipway/j${f.n}`);
  });

  it("loses no entry when two runners append at once, and keeps each runner's order", async () => {
    const a = f.store("runner-a");
    const b = f.store("runner-b");
    await Promise.all([
      (async () => {
        for (let i = 1; i <= 8; i++) await a.append(entry("a", i));
      })(),
      (async () => {
        for (let i = 1; i <= 8; i++) await b.append(entry("b", i));
      })(),
    ]);
    const read = await f.store("reader").read();
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
    await f.store("runner-a").append(entry("a", 1));
    await f.store("runner-b").append(entry("b", 1));
    assert.deepEqual(
      (await f.store("runner-c").read()).map((e) => e.promotionId),
      ["a", "b"],
    );
  });
});
