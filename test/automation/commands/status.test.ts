// `slipway status` on a promotion without an end: RUNNING while a live driver holds the lock, INTERRUPTED once it is gone.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { holderAlive } from "../../../automation/commands/status";
import type { LockHolder } from "../../../automation/state/store";
import { baseConfig, FakeEngine, harness, Harness } from "../fakes";
import { cli } from "./promoteKit";

const DEAD_PID = 2 ** 22 + 12345;
const at = "2026-11-22T07:00:00Z";

/** A promotion at its first step, and (unless `lock` is undefined) the lock its driver holds. */
async function midPromotion(lock: Partial<LockHolder> | undefined): Promise<Harness> {
  const h = harness(new FakeEngine({ local: baseConfig("local") }));
  const s = h.deps.state("local");
  await s.append({
    at,
    promotionId: "p9",
    stack: "local",
    event: "start",
    action: "promote",
    version: "1.4.0",
    steps: [10, 100],
  });
  await s.append({ at, promotionId: "p9", stack: "local", event: "intent", action: "step", step: 0, weight: 10 });
  if (lock !== undefined) {
    const holder = { pid: process.pid, host: os.hostname(), startedAt: at, promotionId: "p9", command: "promote" };
    fs.writeFileSync(path.join(s.location, "lock"), JSON.stringify({ ...holder, ...lock }));
  }
  return h;
}

const ROWS: Array<[string, Partial<LockHolder> | undefined, "RUNNING" | "INTERRUPTED", boolean]> = [
  ["its driver's pid is alive on this host", {}, "RUNNING", true],
  ["its driver holds the lock from another host", { host: "runner-7", pid: DEAD_PID }, "RUNNING", true],
  ["its driver's pid is dead on this host", { pid: DEAD_PID }, "INTERRUPTED", false],
  ["no driver holds the lock", undefined, "INTERRUPTED", false],
  ["the lock is held by an update, not a promotion", { command: "up" }, "INTERRUPTED", false],
];

describe("slipway status: a promotion without an end", () => {
  for (const [when, lock, word, running] of ROWS) {
    it(`says ${word} when ${when}`, async () => {
      const h = await midPromotion(lock);
      const text = await cli(h, ["status", "--stack", "local"]);
      assert.equal(text.code, 0, text.err);
      assert.match(text.out, new RegExp(`last promotion: promote 1\\.4\\.0 ${word} \\(`));
      const [doc] = JSON.parse((await cli(h, ["status", "--stack", "local", "--json"])).out);
      assert.equal(doc.promotionRunning, running);
    });
  }

  it("leaves promotionRunning out once the promotion ended", async () => {
    const h = await midPromotion(undefined);
    await h.deps
      .state("local")
      .append({ at, promotionId: "p9", stack: "local", event: "end", action: "promote", status: "completed" });
    const [doc] = JSON.parse((await cli(h, ["status", "--stack", "local", "--json"])).out);
    assert.equal("promotionRunning" in doc, false);
  });

  it("asks the pid only on this host", () => {
    const asked: number[] = [];
    const alive = (pid: number) => (asked.push(pid), false);
    const lock: LockHolder = { pid: 42, host: "elsewhere", startedAt: at, promotionId: "p", command: "promote" };
    assert.equal(holderAlive({ host: { pid: 1, hostname: "here" } }, lock, alive), true);
    assert.equal(holderAlive({ host: { pid: 1, hostname: "elsewhere" } }, lock, alive), false);
    assert.deepEqual(asked, [42]);
  });
});
