import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { run } from "../../../automation/cli/entry";
import type { Outcome } from "../../../automation/cli/entry";
import { hold, runHooks } from "../../../automation/release/hooks";
import { journal } from "../../../automation/state/journal";
import { openPromotion } from "../../../automation/state/progress";
import type { HookJob } from "../../../stacks/config";
import { baseConfig, FakeEngine, fakeHooks, harness, Harness, recorded } from "../fakes";

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
const hook = (name: string, irreversible: boolean): HookJob => ({
  name,
  image: "registry.local/pricing:$version",
  timeout: 60_000,
  irreversible,
});
const AT = "2026-11-22T07:00:00Z";
const ADVICE =
  "traffic stays where it is; fix forward with slipway promote --stack local --version 1.4.0 --resume, " +
  "or route back anyway with slipway abort --stack local --force";

/** A local stack whose canary 1.4.0 serves `weight`% (the release record after step 2's update). */
function stackAt(weight: number) {
  const config =
    weight === 0
      ? baseConfig("local")
      : baseConfig("local", { "slipway:canaryVersion": "1.4.0", "slipway:canaryWeight": `${weight}` });
  return harness(new FakeEngine({ local: config }), { hooks: fakeHooks() });
}

/**
 * Journal of promotion h1 of 1.4.0 as the executor writes it: the start, the preTraffic hook `hookName` (run through
 * runHooks), step 1 at 10% ok, step 2 at 30% announced; then held (`end` true) or the driver killed there.
 */
async function promotionAfterHook(h: Harness, o: { irreversible: boolean; end: "held" | "killed" }) {
  const state = h.deps.state("local");
  const note = journal(h.deps, state, "local", "h1");
  await note({ event: "start", action: "promote", version: "1.4.0", stableVersion: "1.0.0", steps: [10, 30, 100] });
  const ctx = { stack: "local", namespace: "slipway-local", version: "1.4.0", promotionId: "h1" };
  const ran = await runHooks(h.deps, note, "preTraffic", [hook("migrate", o.irreversible)], ctx);
  assert.equal(ran.ok, true);
  await note({ event: "intent", action: "step", step: 0, weight: 10, version: "1.4.0" });
  await note({ event: "outcome", action: "step", step: 0, weight: 10, ok: true });
  await note({ event: "intent", action: "step", step: 1, weight: 30, version: "1.4.0" });
  if (o.end === "held") {
    const cause = "gates failed at 30%: kubernetes: 2 of 5 pods not ready";
    await hold(h.deps, note, { stack: "local", version: "1.4.0", weight: 30, hook: "migrate", cause });
    return;
  }
  // The killed driver's lock: its pid is gone, so the next command takes it over.
  fs.writeFileSync(
    path.join(state.location, "lock"),
    JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), startedAt: AT, promotionId: "h1", command: "promote" }),
  );
}
const ups = (h: Harness) => h.engine.calls.filter((c) => c.op === "up");

describe("#hold: abort after an irreversible hook", () => {
  it("refuses without --force: exit 1, the reason and both ways on, nothing changed", async () => {
    const h = stackAt(30);
    await promotionAfterHook(h, { irreversible: true, end: "held" });
    const before = (await h.deps.state("local").read()).length;
    const r = await cli(h, ["abort", "--stack", "local"]);
    assert.equal(r.code, 1);
    assert.equal(
      r.err,
      `slipway: local: not rolled back: hook migrate is irreversible: the old version may not read the database, and it ran in promotion h1 of 1.4.0; ${ADVICE}\n`,
    );
    assert.deepEqual(ups(h), []);
    assert.equal(recorded(h, "local")!.canaryVersion, "1.4.0");
    assert.equal(recorded(h, "local")!.canaryWeight, 30);
    assert.equal((await h.deps.state("local").read()).length, before);
  });

  it("with --force routes back (weight 0, then the canary scales to zero), journals the override and closes the promotion", async () => {
    const h = stackAt(30);
    await promotionAfterHook(h, { irreversible: true, end: "held" });
    const r = await cli(h, ["abort", "--stack", "local", "--force", "--json"]);
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).forcedPast, "migrate");
    assert.deepEqual(
      h.engine.trace().filter((t) => t.startsWith("up")),
      [
        "up local targeted 1.0.0 canary none@0 rolled-back 1.4.0",
        "up local targeted 1.0.0 canary none@0 rolled-back 1.4.0",
      ],
    );
    const entries = await h.deps.state("local").read();
    const end = entries.at(-1)!;
    assert.deepEqual([end.promotionId, end.action, end.status], ["h1", "abort", "rolled-back"]);
    assert.match(end.detail!, /--force: routed back although hook migrate is irreversible/);
    assert.equal(openPromotion(entries), undefined);
  });

  it("with --force closes a held promotion that has no canary traffic, so the next promote starts clean", async () => {
    const h = stackAt(0);
    await promotionAfterHook(h, { irreversible: true, end: "held" });
    const r = await cli(h, ["abort", "--stack", "local", "--force"]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "local: no canary to roll back (--force past the irreversible hook migrate)\n");
    assert.deepEqual(ups(h), []);
    assert.equal(openPromotion(await h.deps.state("local").read()), undefined);
    const next = await cli(h, ["promote", "--stack", "local", "--version", "1.5.0"]);
    assert.equal(next.code, 0, next.err);
  });

  it("rolls back without --force when the hooks that ran are reversible", async () => {
    const h = stackAt(30);
    await promotionAfterHook(h, { irreversible: false, end: "killed" });
    const r = await cli(h, ["abort", "--stack", "local"]);
    assert.equal(r.code, 0, r.err);
    assert.equal(recorded(h, "local")!.canaryVersion, "");
  });
});

describe("#hold: recovery after the driver died past an irreversible hook", () => {
  it("holds instead of rolling back: exit 3, outcome held, journal end held, traffic untouched", async () => {
    const h = stackAt(30);
    await promotionAfterHook(h, { irreversible: true, end: "killed" });
    const r = await cli(h, ["promote", "--stack", "local", "--version", "1.4.0", "--json"]);
    assert.equal(r.code, 3);
    assert.equal(r.outcome, "held");
    assert.equal(
      r.err,
      "slipway: local: 1.4.0 held at 30% after the driver of promotion h1 stopped (hook migrate is irreversible: " +
        `the old version may not read the database): ${ADVICE}\n`,
    );
    const doc = JSON.parse(r.out);
    assert.deepEqual([doc.exitCode, doc.error.kind, doc.error.hook, doc.error.weight], [3, "held", "migrate", 30]);
    assert.deepEqual(ups(h), []);
    assert.equal(recorded(h, "local")!.canaryWeight, 30);
    const end = (await h.deps.state("local").read()).at(-1)!;
    assert.deepEqual([end.promotionId, end.event, end.status, end.hook], ["h1", "end", "held", "migrate"]);
  });

  it("rolls back as before when only reversible hooks ran", async () => {
    const h = stackAt(30);
    await promotionAfterHook(h, { irreversible: false, end: "killed" });
    const r = await cli(h, ["promote", "--stack", "local", "--version", "1.4.0"]);
    assert.equal(r.code, 0, r.err);
    const entries = await h.deps.state("local").read();
    assert.ok(entries.some((e) => e.promotionId === "h1" && e.status === "recovered: rolled back"));
  });

  it("refuses another version while one is held, with exit 3 and no update", async () => {
    const h = stackAt(30);
    await promotionAfterHook(h, { irreversible: true, end: "held" });
    const before = (await h.deps.state("local").read()).length;
    const r = await cli(h, ["promote", "--stack", "local", "--version", "1.5.0"]);
    assert.equal(r.code, 3);
    assert.match(r.err, /local: 1\.4\.0 held at 30% after promotion h1 was held .*--version 1\.4\.0 --resume/);
    assert.deepEqual(ups(h), []);
    assert.equal((await h.deps.state("local").read()).length, before, "an existing hold is not journaled again");
  });

  it("--resume of another version names the held one and abort --force", async () => {
    const h = stackAt(30);
    await promotionAfterHook(h, { irreversible: true, end: "held" });
    const r = await cli(h, ["promote", "--stack", "local", "--version", "1.5.0", "--resume"]);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /--resume: the held promotion shipped 1\.4\.0, not 1\.5\.0; rerun with --version 1\.4\.0, or route back with slipway abort --stack local --force/,
    );
  });
});

describe("#hold: a held promotion goes on", () => {
  for (const end of ["held", "killed"] as const) {
    it(`promote --resume continues it (${end}) from the step that did not pass, to completed`, async () => {
      const h = stackAt(30);
      await promotionAfterHook(h, { irreversible: true, end });
      if (end === "killed") assert.equal((await cli(h, ["promote", "--stack", "local", "--version", "1.4.0"])).code, 3);
      const r = await cli(h, ["promote", "--stack", "local", "--version", "1.4.0", "--resume"]);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.outcome, "promoted");
      assert.deepEqual(
        ups(h).map((c) => c.release!.canaryWeight),
        [30, 100, 0],
      );
      assert.equal(recorded(h, "local")!.stableVersion, "1.4.0");
      const entries = await h.deps.state("local").read();
      assert.equal(entries.filter((e) => e.event === "start").length, 1);
      assert.equal(entries.at(-1)!.promotionId, "h1");
      assert.equal(entries.at(-1)!.status, "completed");
      assert.equal(openPromotion(entries), undefined);
    });
  }

  it("status shows it as held, why, and both ways on", async () => {
    const h = stackAt(30);
    await promotionAfterHook(h, { irreversible: true, end: "held" });
    const text = (await cli(h, ["status", "--stack", "local"])).out;
    assert.match(text, /local: stable 1\.0\.0, canary 1\.4\.0 at 30% on /);
    assert.ok(
      text.includes(
        `last promotion: promote 1.4.0 HELD at 30% (hook migrate is irreversible: the old version may not read the database): ${ADVICE}`,
      ),
      text,
    );
    const [s] = JSON.parse((await cli(h, ["status", "--stack", "local", "--json"])).out);
    assert.equal(s.lastPromotion.status, "held");
    assert.equal(s.lastPromotion.irreversibleHook, "migrate");
  });

  it("history and the audit export show every hook run with its Job's outcome", async () => {
    const h = stackAt(30);
    await promotionAfterHook(h, { irreversible: true, end: "held" });
    const hist = (await cli(h, ["history", "--stack", "local", "--verbose"])).out;
    assert.match(hist, /h1 {2}hook:intent {2}1\.4\.0 {2}hook migrate \(preTraffic\) IRREVERSIBLE/);
    assert.match(
      hist,
      /hook:outcome.*hook migrate \(preTraffic\) IRREVERSIBLE {2}ok {2}5 ms {2}Job migrate-x7k2p: the Job succeeded/,
    );
    assert.match(hist, /promote:end.*30%.*FAILED {2}held/);
    const exp = ["audit", "export", "--stack", "local", "--since", "2026-11-01", "--format"];
    assert.equal((await cli(h, [...exp, "md", "--out", "a.md"])).code, 0);
    const md = h.files.get("a.md")!;
    assert.match(md, /\| Outcome \| held: gates failed at 30%/);
    assert.match(md, /### Hooks/);
    assert.match(
      md,
      /\| migrate \(irreversible\) \| preTraffic \| .* \| 5 ms \| pass \| Job migrate-x7k2p: the Job succeeded/,
    );
    assert.equal((await cli(h, [...exp, "html", "--out", "a.html"])).code, 0);
    assert.match(h.files.get("a.html")!, /<h3>Hooks<\/h3>.*<td>migrate \(irreversible\)<\/td><td>preTraffic<\/td>/s);
  });
});

describe("#hold: abort of a running promotion past an irreversible hook", () => {
  /** Promotion h1 holds the lock (another job runs it) and its migrate hook ran ok. */
  async function running(h: Harness) {
    const state = h.deps.state("local");
    const note = journal(h.deps, state, "local", "h1");
    await note({ event: "start", action: "promote", version: "1.4.0", steps: [10, 30, 100] });
    const ctx = { stack: "local", namespace: "slipway-local", version: "1.4.0", promotionId: "h1" };
    await runHooks(h.deps, note, "preTraffic", [hook("migrate", true)], ctx);
    const holder = { pid: process.pid, host: os.hostname(), startedAt: AT, promotionId: "h1", command: "promote" };
    return state.acquire(holder, () => undefined);
  }

  it("refuses without --force and asks the promotion nothing", async () => {
    const h = stackAt(30);
    const release = await running(h);
    const r = await cli(h, ["abort", "--stack", "local"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /not rolled back: hook migrate is irreversible: .* ran in promotion h1 of 1\.4\.0/);
    assert.equal(await h.deps.state("local").abortRequest(), undefined);
    await release();
  });

  it("with --force asks the promotion to roll back anyway, saying so in the request", async () => {
    const h = stackAt(30);
    const release = await running(h);
    const state = h.deps.state("local");
    // The promotion's side: it reads the request at its next check and answers with its rollback.
    h.deps.clock.sleep = async () => {
      const req = await state.abortRequest();
      if (req?.force)
        await journal(h.deps, state, "local", "h1")({ event: "end", action: "promote", status: "rolled-back" });
    };
    const r = await cli(h, ["abort", "--stack", "local", "--force"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual([(await state.abortRequest())?.promotionId, (await state.abortRequest())?.force], ["h1", true]);
    await release();
  });
});
