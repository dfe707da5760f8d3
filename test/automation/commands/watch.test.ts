// `slipway status --watch`: a live view of one stack's promotion until it ends, read from the journal, the lock and
// one list of the namespace's Deployments per poll; never the lock taken, nothing written.
import { strict as assert } from "assert";
import * as fs from "fs";
import { cli } from "./promoteKit";
import { ended, started, step, world } from "./watchKit";

const WATCH = ["status", "--stack", "local", "--watch"];

/** A promotion seen at step 1 (10%), then step 2 (50%), then completed at 100%. */
function promotionThatCompletes() {
  return world([
    () => undefined,
    (w) => step(w, 1, 50, true),
    async (w) => {
      await w.note({ event: "outcome", action: "step", step: 1, weight: 50, ok: true, verdicts: [] });
      await step(w, 2, 100);
      await ended(w, "completed");
    },
  ]);
}

describe("slipway status --watch: following a promotion", () => {
  it("shows per service the stable and canary versions with ready pods, the weight, the step and the lock", async () => {
    const w = promotionThatCompletes();
    await started(w);
    await step(w, 0, 10, true);
    const r = await cli(w.h, WATCH);
    const first = w.blocks[0];
    assert.match(first, /^local: promote 1\.4\.0 \(p9\) RUNNING, started 2026-11-22T08:00:00\.000Z/);
    assert.match(first, /step 1 of 3 at 10%, a step every 5m; next step due 2026-11-22T08:05:00\.000Z/);
    assert.match(first, /api-gateway +1\.0\.0 2\/2 ready +1\.4\.0 1\/1 ready +10%/);
    assert.match(first, /lock: promote p9 pid \d+ on /);
    assert.equal(r.code, 0, r.err);
  });

  it("ends with the outcome and its exit code once the journal has the promotion's end", async () => {
    const w = promotionThatCompletes();
    await started(w);
    await step(w, 0, 10, true);
    const r = await cli(w.h, WATCH);
    assert.equal(r.out, "local: promote 1.4.0 (p9) completed (exit 0)\n");
    assert.match(w.blocks[w.blocks.length - 1], /completed, started .*, ended /);
    assert.match(w.blocks[w.blocks.length - 1], /lock: free/);
  });

  it("shows the last verdict of each gate: value against the journaled threshold", async () => {
    const w = world([(x) => step(x, 1, 50, false, 0.09)]);
    await started(w);
    await step(w, 0, 10);
    await cli(w.h, [...WATCH, "--timeout", "3s"]);
    assert.match(w.blocks[0], /gates:\n +prometheus pass 0\.01 against 0\.05: 5xx ratio/);
    assert.match(w.blocks[1], /prometheus FAIL 0\.09 against 0\.05: 5xx ratio/);
  });

  it("prints a block only when something changed when stdout is not a terminal", async () => {
    const w = promotionThatCompletes();
    await started(w);
    await step(w, 0, 10, true);
    await cli(w.h, WATCH);
    assert.equal(w.lists.n, 4, "four polls");
    assert.equal(w.blocks.length, 3, "the second poll saw nothing new");
    assert.ok(w.blocks.every((b) => !b.includes("\x1b")));
  });

  it("clears and redraws every poll on a terminal, with how far off the next step is", async () => {
    const w = world([() => undefined, (x) => ended(x, "completed")], { tty: true });
    await started(w);
    await step(w, 0, 10, true);
    await cli(w.h, WATCH);
    assert.equal(w.blocks.length, 3);
    assert.ok(w.blocks.every((b) => b.startsWith("\x1b[H\x1b[2J")));
    assert.match(w.blocks[0], /next step due 2026-11-22T08:05:00\.000Z \(in 5m\)/);
    assert.match(w.blocks[1], /\(in 4m 58s\)/);
  });

  it("polls every 2 s by default, or every --interval", async () => {
    for (const [extra, ms] of [[[], 2_000] as const, [["--interval", "10s"], 10_000] as const]) {
      const w = world([(x) => ended(x, "completed")]);
      await started(w);
      await cli(w.h, [...WATCH, ...extra]);
      assert.deepEqual(w.clock.slept, [ms]);
    }
  });
});

describe("slipway status --watch: cheap and read-only", () => {
  it("lists the Deployments once per poll, reads the config once, takes no lock and writes nothing", async () => {
    const w = promotionThatCompletes();
    await started(w, { pid: process.pid, promotionId: "p9" });
    await step(w, 0, 10, true);
    const before = (await w.h.deps.state("local").read()).length;
    await cli(w.h, WATCH);
    const calls = w.h.engine.trace();
    assert.equal(w.lists.n, w.clock.slept.length + 1);
    assert.deepEqual(calls, ["getConfig local"], "no update, no outputs per poll");
    assert.equal((await w.h.deps.state("local").read()).length, before + 5, "only the driver's five entries");
    assert.equal(await w.h.deps.state("local").readRelease(), undefined, "no release record written");
    const dir = w.h.deps.state("local").location;
    assert.deepEqual(fs.readdirSync(dir), ["journal.jsonl"], "no lock, claim or record file of its own");
  });

  it("says the pods were not read when the cluster cannot be listed, and goes on", async () => {
    const w = world([(x) => ended(x, "completed")]);
    w.h.deps.deployments = async () => {
      throw new Error("connect ECONNREFUSED 127.0.0.1:6443");
    };
    await started(w);
    const r = await cli(w.h, WATCH);
    assert.match(w.blocks[0], /pods: not read/);
    assert.ok(w.h.progress.some((l) => /local: pods not read: connect ECONNREFUSED/.test(l)));
    assert.equal(r.code, 0);
  });

  it("reads RUNNING while the lock holder lives and INTERRUPTED, ending at once, when it is gone", async () => {
    const live = world([(x) => ended(x, "completed")]);
    await started(live, { pid: process.pid });
    await cli(live.h, WATCH);
    assert.match(live.blocks[0], /RUNNING/);
    const dead = world([]);
    await started(dead, { pid: 2 ** 22 + 12345 });
    const r = await cli(dead.h, WATCH);
    assert.match(dead.blocks[0], /\(p9\) INTERRUPTED/);
    assert.equal(r.code, 1);
    assert.match(
      r.out,
      /INTERRUPTED: its driver is gone; resume it with slipway promote --stack local --version 1\.4\.0 --resume/,
    );
    assert.deepEqual(dead.clock.slept, []);
  });
});

describe("slipway status --watch: its arguments", () => {
  const REFUSED: Array<[string[], RegExp]> = [
    [["status", "--watch"], /--watch follows one stack: name it once/],
    [["status", "--stack", "local,dev", "--watch"], /--watch follows one stack/],
    [["status", "--stack", "local", "--interval", "5s"], /--interval and --timeout go with --watch/],
    [["status", "--stack", "local", "--timeout", "5m"], /--interval and --timeout go with --watch/],
    [[...WATCH, "--interval", "500ms"], /--interval "500ms" is not allowed: give a duration from 1s to 1h/],
    [[...WATCH, "--timeout", "0s"], /--timeout "0s" is not allowed: give a duration from 1s to 168h/],
  ];
  for (const [argv, message] of REFUSED)
    it(`refuses ${argv.slice(1).join(" ")} before reading anything`, async () => {
      const w = world([]);
      const r = await cli(w.h, argv);
      assert.equal(r.code, 1);
      assert.match(r.err, message);
      assert.deepEqual(w.h.engine.trace(), []);
    });
});
