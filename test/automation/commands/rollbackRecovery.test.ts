// A rollback whose driver stopped (killed, runner lost) is finished by the next command that takes the stack's lock:
// the stack goes to the rollback's target, the interrupted change record ends, and nothing is done twice. A rollback
// that fails closes its record, so the next command starts from a consistent journal.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Harness, recorded } from "../fakes";
import { cli, journal, SERVICES } from "./promoteKit";
import { promotedLocal, ROLLBACK_LOCAL, shippedProd, updates } from "./rollbackKit";
import type { Release } from "../../../automation/state/store";

const AT = "2026-11-22T07:00:00Z";

/**
 * What a driver killed during `slipway rollback` 1.5.0 -> 1.4.0 leaves: the rollback's start and the intent of its
 * update (the one update, or a canary step at `canaryAt`%), applied to the stack when `applied`, and its lock, held by
 * a pid that no longer exists.
 */
async function killedRollback(h: Harness, o: { applied: boolean; canaryAt?: number }): Promise<void> {
  const s = h.deps.state("local");
  const entry = { at: AT, promotionId: "deadrb", stack: "local" } as const;
  const now = recorded(h, "local")!;
  const release: Release =
    o.canaryAt === undefined
      ? { ...now, stableVersion: "1.4.0", canaryVersion: "", canaryWeight: 0 }
      : { ...now, canaryVersion: "1.4.0", canaryWeight: o.canaryAt };
  const action = o.canaryAt === undefined ? "rollback" : "step";
  await s.append({
    ...entry,
    event: "start",
    action: "rollback",
    version: "1.4.0",
    stableVersion: "1.5.0",
    reason: "INC-9",
  });
  await s.append({
    ...entry,
    event: "intent",
    action,
    version: "1.4.0",
    weight: o.canaryAt,
    step: o.canaryAt === undefined ? undefined : 1,
    release,
  });
  if (o.applied) await h.engine.up("local", { release });
  const dir = (s as unknown as { location: string }).location;
  const lock = { pid: 2 ** 22 + 12345, host: os.hostname(), startedAt: AT, promotionId: "deadrb", command: "rollback" };
  fs.writeFileSync(path.join(dir, "lock"), JSON.stringify(lock));
}

async function endsOf(h: Harness, id: string, stack = "local"): Promise<string[]> {
  return (await journal(h, stack))
    .filter((e) => e.promotionId === id && e.event === "end")
    .map((e) => `${e.action} ${e.status}`);
}

describe("slipway rollback after a rollback whose driver stopped", () => {
  it("finishes the interrupted rollback in one update and ends its own change record, starting no other", async () => {
    const h = await promotedLocal(["1.4.0", "1.5.0"]);
    await killedRollback(h, { applied: false });
    const shown = await cli(h, ["status", "--stack", "local"]);
    assert.match(shown.out, /last rollback: 1\.5\.0 -> 1\.4\.0 INTERRUPTED: the next slipway rollback --stack local/);
    const before = h.engine.calls.length;
    const r = await cli(h, [...ROLLBACK_LOCAL, "--json"]);
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out);
    assert.deepEqual([doc.from, doc.to, doc.rollbackId, doc.status], ["1.5.0", "1.4.0", "deadrb", "completed"]);
    assert.deepEqual(updates(h, before), ["up local full 1.4.0 canary none@0"]);
    assert.equal(recorded(h, "local")!.stableVersion, "1.4.0");
    assert.deepEqual(await endsOf(h, "deadrb"), ["rollback completed"]);
    const starts = (await journal(h, "local")).filter((e) => e.event === "start" && e.action === "rollback");
    assert.equal(starts.length, 1, "no second rollback record");
  });

  it("only closes the record when the update had applied before the driver stopped: no update runs again", async () => {
    const h = await promotedLocal(["1.4.0", "1.5.0"]);
    await killedRollback(h, { applied: true });
    const before = h.engine.calls.length;
    const r = await cli(h, ROLLBACK_LOCAL);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(updates(h, before), []);
    assert.equal(recorded(h, "local")!.stableVersion, "1.4.0");
    assert.deepEqual(await endsOf(h, "deadrb"), ["rollback completed"]);
  });

  it("never returns to the version backed out: the next rollback goes further back", async () => {
    const h = await promotedLocal(["1.3.0", "1.4.0", "1.5.0"]);
    await killedRollback(h, { applied: true });
    assert.equal((await cli(h, ROLLBACK_LOCAL)).code, 0);
    const r = await cli(h, [...ROLLBACK_LOCAL, "--json"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual([JSON.parse(r.out).from, JSON.parse(r.out).to], ["1.4.0", "1.3.0"]);
  });
});

describe("slipway promote after a rollback whose driver stopped", () => {
  it("first takes the stack to the rollback's target (a canary rollback cut at 30%), then promotes from there", async () => {
    const h = await promotedLocal(["1.4.0", "1.5.0"]);
    await killedRollback(h, { applied: true, canaryAt: 30 });
    const before = h.engine.calls.length;
    const r = await cli(h, ["promote", "--stack", "local", "--version", "1.6.0"]);
    assert.equal(r.code, 0, r.err);
    const ups = updates(h, before);
    assert.equal(ups[0], "up local full 1.4.0 canary none@0", "the rollback finishes first, in one update");
    assert.equal(ups[1], "up local full 1.4.0 canary 1.6.0@10", "the promotion starts from the rollback's target");
    assert.equal(recorded(h, "local")!.stableVersion, "1.6.0");
    assert.deepEqual(await endsOf(h, "deadrb"), ["rollback completed"]);
    assert.match(h.progress.join("\n"), /rollback deadrb \(1\.5\.0 -> 1\.4\.0\) was interrupted; finishing it/);
  });
});

describe("a rollback whose update fails", () => {
  it("ends its change record as failed, and the next rollback goes to the same target", async () => {
    const h = await promotedLocal(["1.4.0", "1.5.0"]);
    h.engine.beforeUp = () => {
      throw new Error("provider: connection refused");
    };
    const failed = await cli(h, ROLLBACK_LOCAL);
    assert.notEqual(failed.code, 0);
    const rb = (await journal(h, "local")).find((e) => e.event === "start" && e.action === "rollback")!;
    assert.deepEqual(await endsOf(h, rb.promotionId), ["rollback failed"]);
    h.engine.beforeUp = undefined;
    const r = await cli(h, [...ROLLBACK_LOCAL, "--json"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual([JSON.parse(r.out).from, JSON.parse(r.out).to], ["1.5.0", "1.4.0"]);
    assert.notEqual(JSON.parse(r.out).rollbackId, rb.promotionId);
  });
});

describe("slipway rollback while a promotion is paused for a person", () => {
  it("refuses before anything changes, naming slipway abort", async () => {
    const h = await promotedLocal(["1.4.0", "1.5.0"]);
    const paused = await cli(h, ["promote", "--stack", "local", "--version", "1.6.0", "--steps", "10,pause,100"]);
    assert.equal(paused.code, 7, paused.err);
    const before = h.engine.calls.length;
    const r = await cli(h, ROLLBACK_LOCAL);
    assert.equal(r.code, 1, r.err);
    assert.match(
      r.err,
      /promotion \S+ of 1\.6\.0 is paused for a person: close it first with slipway abort --stack local/,
    );
    assert.deepEqual(updates(h, before), []);
  });
});

describe("an interrupted rollback that restores the database", () => {
  it("is finished with its restore: the one update carries the journaled snapshot", async () => {
    const h = await shippedProd(["1.3.0", "1.4.0"], { backup: true });
    const s = h.deps.state("prod");
    const restoreFrom = { snapshotId: "slipway-prod-release-1-4-0", release: "1.4.0" };
    const entry = { at: AT, promotionId: "deadrb", stack: "prod" } as const;
    const release = {
      stableVersion: "1.3.0",
      serviceVersions: {},
      canaryVersion: "",
      canaryWeight: 0,
      canaryServices: [...SERVICES],
      restoreFrom,
    };
    await s.append({ ...entry, event: "start", action: "rollback", version: "1.3.0", stableVersion: "1.4.0" });
    await s.append({ ...entry, event: "intent", action: "rollback", version: "1.3.0", release });
    const before = h.engine.calls.length;
    const r = await cli(h, ["rollback", "--stack", "prod", "--reason", "INC-9", "--approved-by", "Jane"]);
    assert.equal(r.code, 0, r.err);
    const ups = h.engine.calls.slice(before).filter((c) => c.op === "up");
    assert.deepEqual(
      ups.map((c) => [c.release?.stableVersion, c.release?.restoreFrom]),
      [["1.3.0", restoreFrom]],
    );
    assert.deepEqual(await endsOf(h, "deadrb", "prod"), ["rollback completed"]);
  });
});
