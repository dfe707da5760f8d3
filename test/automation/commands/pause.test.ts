// A promotion held for a person: a `pause` in the steps ends the command `paused` (exit 7) with traffic where it is
// and the lock free; `promote --continue` from another runner goes on, admitted as the stack admits any promotion.
import { strict as assert } from "assert";
import { run } from "../../../automation/cli/entry";
import type { Outcome } from "../../../automation/cli/entry";
import { EXIT } from "../../../automation/errors";
import { baseConfig, FakeEngine, harness, Harness, recorded } from "../fakes";

const STACKS = ["dev", "staging", "prod", "local"];
async function cli(h: Harness, argv: string[]) {
  let out = "";
  let err = "";
  const outcomes: Outcome[] = [];
  const code = await run(argv, STACKS, async () => h.deps, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    outcome: (w) => outcomes.push(w),
  });
  return { code, out, err, outcome: outcomes[0] };
}
const PAUSED = ["promote", "--stack", "local", "--version", "1.4.0", "--steps", "10,pause,100"];
const CONTINUE = ["promote", "--stack", "local", "--continue"];

/** A local stack; `user` is the person at this runner; a second runner on the same dir is another job. */
function runner(user: string, extra: Record<string, string> = {}, dir?: string): Harness {
  const engine = new FakeEngine({ local: baseConfig("local", extra) });
  const h = harness(engine, {}, dir);
  h.deps.host = { ...h.deps.host, user };
  return h;
}
/** The second job: a fresh process over the same store, whose engine sees what the first one deployed. */
function secondJob(first: Harness, user: string): Harness {
  const h = runner(user, {}, first.dir);
  h.engine.config = first.engine.config;
  h.engine.applied = first.engine.applied;
  return h;
}

describe("#pause: a promotion held for a person", () => {
  it("ends paused with exit 7 at the pause, traffic at 10%, the journal ended paused and the lock free", async () => {
    const h = runner("ann");
    const r = await cli(h, PAUSED);
    assert.equal(r.code, EXIT.paused, r.err);
    assert.equal(r.outcome, "paused");
    assert.match(r.out, /1\.4\.0 paused on local at 10% after step 1\/2/);
    assert.equal(recorded(h, "local")?.canaryWeight, 10);
    const end = (await h.deps.state("local").read()).at(-1)!;
    assert.deepEqual([end.event, end.status, end.weight, end.step], ["end", "paused", 10, 0]);
    assert.equal(await h.deps.state("local").holder(), undefined);
    const start = (await h.deps.state("local").read()).find((e) => e.event === "start")!;
    assert.deepEqual(start.pauseAfter, [0]);
  });

  it("continues from a second runner after the pause, to completion, with the continue journaled", async () => {
    const first = runner("ann");
    assert.equal((await cli(first, PAUSED)).code, EXIT.paused);
    const second = secondJob(first, "ben");
    const r = await cli(second, CONTINUE);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.outcome, "promoted");
    const rel = recorded(second, "local")!;
    assert.deepEqual([rel.stableVersion, rel.canaryVersion, rel.canaryWeight], ["1.4.0", "", 0]);
    const entries = await second.deps.state("local").read();
    const cont = entries.find((e) => e.action === "continue")!;
    assert.deepEqual([cont.status, cont.step, cont.evidence?.startedBy], ["resumed", 1, "ben"]);
    assert.equal(entries.at(-1)!.status, "completed");
    const steps = second.engine.calls.filter((c) => c.op === "up").map((c) => c.release?.canaryWeight);
    assert.deepEqual(steps, [100, 0], "only the step after the pause and the finalize ran");
  });

  it("shows PAUSED in status with who may continue", async () => {
    const h = runner("ann", { "slipway:approval": JSON.stringify({ fourEyes: true }) });
    await cli(h, PAUSED);
    const r = await cli(h, ["status", "--stack", "local"]);
    assert.match(
      r.out,
      /PAUSED at 10% after step 1\/2: anyone but ann may continue with slipway promote --stack local --continue/,
    );
  });

  it("refuses --continue by the person who started it when four-eyes applies, and takes another person", async () => {
    const h = runner("ann", { "slipway:approval": JSON.stringify({ fourEyes: true }) });
    assert.equal((await cli(h, PAUSED)).code, EXIT.paused);
    const before = h.engine.calls.length;
    const same = await cli(h, CONTINUE);
    assert.equal(same.code, 1);
    assert.match(same.err, /--continue refused \(four-eyes\): ann started promotion/);
    assert.equal(h.engine.calls.filter((c, i) => i >= before && c.op === "up").length, 0);
    h.deps.host = { ...h.deps.host, user: "ben" };
    assert.equal((await cli(h, CONTINUE)).code, 0);
  });

  it("rolls a paused release back with abort, closing it", async () => {
    const h = runner("ann");
    await cli(h, PAUSED);
    const r = await cli(h, ["abort", "--stack", "local"]);
    assert.equal(r.code, 0, r.err);
    assert.equal(recorded(h, "local")?.canaryWeight, 0);
    assert.equal((await h.deps.state("local").read()).at(-1)!.status, "rolled-back");
    assert.match((await cli(h, CONTINUE)).err, /--continue: local has no paused promotion/);
  });
});

describe("#pause: what --continue and a new promotion meet", () => {
  // The fake clock reads 2026-11-22T08:00Z: inside this window.
  const FREEZE = {
    "slipway:freeze": JSON.stringify({
      timeZone: "UTC",
      windows: [{ name: "year-end", from: "2026-11-22T07:00", until: "2026-11-23T00:00" }],
    }),
  };

  it("refuses --continue inside a freeze, and lets break-glass through", async () => {
    const first = runner("ann");
    await cli(first, PAUSED);
    const h = runner("ben", FREEZE, first.dir);
    h.engine.applied = first.engine.applied;
    const r = await cli(h, CONTINUE);
    assert.equal(r.code, 1);
    assert.match(r.err, /year-end/);
    const glass = await cli(h, [...CONTINUE, "--break-glass", "--reason", "INC-1 fix"]);
    assert.equal(glass.code, 0, glass.err);
  });

  it("refuses a new promotion while one is paused, naming --continue and abort", async () => {
    const h = runner("ann");
    await cli(h, PAUSED);
    const r = await cli(h, ["promote", "--stack", "local", "--version", "1.5.0"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /is paused at 10% for a person: continue it with slipway promote --stack local --continue/);
    assert.equal(recorded(h, "local")?.canaryVersion, "1.4.0");
  });

  it("pauses where the stack's canary.steps say, and refuses --continue naming another version", async () => {
    const h = runner("ann", { "slipway:canary": JSON.stringify({ steps: [10, 30, "pause", 100], interval: "0s" }) });
    assert.equal((await cli(h, ["promote", "--stack", "local", "--version", "1.4.0"])).code, EXIT.paused);
    assert.equal(recorded(h, "local")?.canaryWeight, 30);
    const r = await cli(h, [...CONTINUE, "--version", "1.5.0"]);
    assert.match(r.err, /ships 1\.4\.0, not 1\.5\.0/);
  });
});

describe("#pause: a gate without data", () => {
  const noData = (onNoData?: string) => ({
    "slipway:canary": JSON.stringify({
      steps: [10, 100],
      interval: "0s",
      analysis: [{ provider: "prometheus", url: "http://127.0.0.1:9/", query: "up", max: 1, onNoData }],
    }),
  });
  const empty = { provider: "prometheus", ok: false, noData: true, detail: "empty result", durationMs: 1 };

  it("pauses instead of rolling back when the gate says onNoData: pause, and re-runs that step on --continue", async () => {
    const h = runner("ann", noData("pause"));
    let answers = 0;
    h.deps.providers = () => [
      {
        name: "prometheus",
        check: async () => (++answers === 1 ? empty : { ...empty, ok: true, noData: undefined, detail: "0 <= 1" }),
      },
    ];
    const r = await cli(h, ["promote", "--stack", "local", "--version", "1.4.0"]);
    assert.equal(r.code, EXIT.paused, r.err);
    assert.match(r.out, /gates had no data at 10%/);
    assert.equal((await cli(h, CONTINUE)).code, 0);
    const ups = h.engine.calls.filter((c) => c.op === "up").map((c) => c.release?.canaryWeight);
    assert.deepEqual(ups, [10, 10, 100, 0], "the step without data ran again before the next one");
  });

  it("rolls back (exit 3) on no data without onNoData: pause", async () => {
    const h = runner("ann", noData());
    h.deps.providers = () => [{ name: "prometheus", check: async () => empty }];
    const r = await cli(h, ["promote", "--stack", "local", "--version", "1.4.0"]);
    assert.equal(r.code, 3);
    assert.equal(recorded(h, "local")?.canaryWeight, 0);
  });
});

describe("#job summary of promote", () => {
  it("writes the outcome, the steps and where it paused; a rollback writes its outcome word and cause", async () => {
    const summary: string[] = [];
    const h = runner("ann");
    h.deps.summary = (md) => summary.push(md);
    await cli(h, PAUSED);
    assert.match(summary[0], /## slipway promote `1\.4\.0` to `local`: PAUSED/);
    assert.match(summary[0], /\| 1 \| 10% \| pass \|/);
    assert.match(summary[0], /Paused at 10%/);
    h.deps.providers = () => [
      {
        name: "kubernetes",
        check: async () => ({ provider: "kubernetes", ok: false, detail: "pods <down>", durationMs: 0 }),
      },
    ];
    await cli(h, CONTINUE);
    assert.match(summary[1], /## slipway promote `local`: ROLLED-BACK\n\n.*pods &lt;down&gt;/);
  });
});
