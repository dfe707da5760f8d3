// `slipway wait`: exits with the promotion's outcome code once the journal has its end; a timeout has its own code.
import { strict as assert } from "assert";
import { cli } from "./promoteKit";
import { DEAD_PID, ended, started, step, world } from "./watchKit";

const WAIT = ["wait", "--stack", "local"];

const OUTCOMES: Array<[string, number]> = [
  ["completed", 0],
  ["rolled-back", 3],
  ["held", 3],
  ["recovered: rolled back", 3],
  ["failed", 1],
  ["paused", 7],
];

describe("slipway wait: the promotion's outcome as the exit code", () => {
  for (const [status, code] of OUTCOMES)
    it(`exits ${code} once the journal ends the promotion ${status}`, async () => {
      const w = world([() => undefined, (x) => ended(x, status)]);
      await started(w);
      await step(w, 0, 10, true);
      const r = await cli(w.h, WAIT);
      assert.equal(r.code, code, r.err);
      assert.equal(r.out, `local: promote 1.4.0 (p9) ${status} (exit ${code})\n`);
      assert.equal(w.clock.slept.length, 2, "it waited for the end entry");
    });

  it("exits 7 at a pause journaled before any end, and says the promotion is paused", async () => {
    const w = world([(x) => x.note({ event: "outcome", action: "pause" as never, detail: "waiting for sign-off" })]);
    await started(w);
    await step(w, 0, 10);
    const r = await cli(w.h, WAIT);
    assert.equal(r.code, 7, r.err);
    assert.equal(r.out, "local: promote 1.4.0 (p9) paused (exit 7)\n");
  });

  it("says on stderr what it waits for whenever the step changes, and keeps stdout for the outcome", async () => {
    const w = world([() => undefined, (x) => step(x, 1, 50, true), (x) => ended(x, "completed")]);
    await started(w);
    await step(w, 0, 10, true);
    await cli(w.h, WAIT);
    const waiting = w.h.progress.filter((l) => l.startsWith("local: waiting"));
    assert.deepEqual(waiting, [
      "local: waiting: promote 1.4.0 (p9) RUNNING, step 1 of 3 at 10%",
      "local: waiting: promote 1.4.0 (p9) RUNNING, step 2 of 3 at 50%",
      "local: waiting: promote 1.4.0 (p9) completed, step 2 of 3 at 50%",
    ]);
    assert.deepEqual(w.blocks, [], "no block on stdout while waiting");
  });

  it("answers at once for a promotion that already ended", async () => {
    const w = world([]);
    await started(w, undefined);
    await ended(w, "rolled-back");
    const r = await cli(w.h, WAIT);
    assert.equal(r.code, 3);
    assert.deepEqual(w.clock.slept, []);
  });

  it("waits for a new promotion whose driver holds the lock but has not journaled its start yet", async () => {
    const w = world([
      async (x) => {
        await x.note({ promotionId: "p9", event: "start", action: "promote", version: "1.5.0", steps: [100] });
        await ended(x, "completed");
      },
    ]);
    await started(w, undefined);
    await ended(w, "rolled-back");
    w.lock({ promotionId: "p10" });
    const r = await cli(w.h, WAIT);
    assert.equal(r.code, 0, r.out);
  });

  it("exits 1 at once, naming resume and abort, when the promotion's driver is gone", async () => {
    const w = world([]);
    await started(w, { pid: DEAD_PID });
    const r = await cli(w.h, WAIT);
    assert.equal(r.code, 1);
    assert.match(r.out, /INTERRUPTED: its driver is gone; resume it with .* --resume, or roll back with slipway abort/);
  });
});

describe("slipway wait: bounded", () => {
  it("stops at --timeout with exit 8 and says it timed out", async () => {
    const w = world(Array.from({ length: 50 }, () => () => undefined));
    await started(w);
    await step(w, 0, 10, true);
    const r = await cli(w.h, [...WAIT, "--timeout", "7s"]);
    assert.equal(r.code, 8);
    assert.equal(r.out, "local: promote 1.4.0 (p9) still RUNNING after 7 s: stopped waiting (exit 8, timed out)\n");
    assert.deepEqual(w.clock.slept, [2_000, 2_000, 2_000, 1_000], "the last sleep ends at the timeout");
  });

  it("defaults to the plan's total time plus 10 minutes: 3 steps of 5m, no bake -> 25m", async () => {
    const w = world(Array.from({ length: 2_000 }, () => () => undefined));
    await started(w);
    const r = await cli(w.h, [...WAIT, "--json"]);
    const doc = JSON.parse(r.out);
    assert.equal(r.code, 8);
    assert.equal(doc.timeoutMs, 1_500_000);
    assert.equal(doc.timeout, "PT25M");
    assert.deepEqual([doc.waitedMs, doc.waited], [1_500_000, "PT25M"]);
    assert.equal(doc.timedOut, true);
    assert.equal(
      w.clock.slept.reduce((a, b) => a + b, 0),
      1_500_000,
    );
  });

  it("gives the outcome in --json: the exit code, the status and the last view", async () => {
    const w = world([(x) => ended(x, "held")]);
    await started(w);
    const doc = JSON.parse((await cli(w.h, [...WAIT, "--json"])).out);
    assert.deepEqual(
      [doc.exitCode, doc.status, doc.promotionId, doc.version, doc.view.state],
      [3, "held", "p9", "1.4.0", "ENDED"],
    );
  });

  for (const [argv, message] of [
    [["wait"], /--stack is required/],
    [[...WAIT, "--timeout", "soon"], /--timeout "soon" is not allowed/],
    [[...WAIT, "--timeout", "169h"], /give a duration from 1s to 168h/],
  ] as Array<[string[], RegExp]>)
    it(`refuses ${argv.join(" ")} with exit 1`, async () => {
      const r = await cli(world([]).h, argv);
      assert.equal(r.code, 1);
      assert.match(r.err, message);
    });
});
