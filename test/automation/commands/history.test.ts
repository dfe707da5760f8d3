// `slipway history`: one line per promotion with its steps folded, or every raw entry with --verbose.
import { strict as assert } from "assert";
import { run } from "../../../automation/cli/entry";
import { historyRows, humanDuration } from "../../../automation/commands/historyTable";
import type { JournalEntry } from "../../../automation/state/store";
import { baseConfig, FakeEngine, harness, Harness, provider } from "../fakes";

async function cli(h: Harness, argv: string[]) {
  let out = "";
  let err = "";
  const code = await run(argv, ["local"], async () => h.deps, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

const DURATIONS: Array<[number, string]> = [
  [250, "250 ms"],
  [1_000, "1 s"],
  [1_200, "1.2 s"],
  [59_940, "59.9 s"],
  [300_000, "5m"],
  [330_000, "5m 30s"],
  [3_600_000, "1h"],
  [7_500_000, "2h 5m"],
];

describe("slipway history: the table", () => {
  for (const [ms, text] of DURATIONS) it(`shows ${ms} ms as ${text}`, () => assert.equal(humanDuration(ms), text));

  it("prints one line per promotion: version, outcome, steps folded, duration, who", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }), {
      host: { pid: 1, hostname: "ci", user: "ann" },
    });
    assert.equal((await cli(h, ["promote", "--stack", "local", "--version", "1.4.0"])).code, 0);
    h.deps.providers = () => [provider((w) => ({ provider: "kubernetes", ok: w < 30, detail: "d", durationMs: 1 }))];
    assert.equal((await cli(h, ["promote", "--stack", "local", "--version", "1.5.0"])).code, 3);
    const r = await cli(h, ["history", "--stack", "local"]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trimEnd().split("\n");
    assert.equal(lines.length, 3, r.out);
    assert.match(lines[0], /^STARTED +ACTION +VERSION +OUTCOME +STEPS +DURATION +WHO/);
    assert.match(lines[1], /^2026-\S+ +promote +1\.4\.0 +completed +3\/3 of 10,30,100 +\d+ ms +ann/);
    assert.match(lines[2], /^2026-\S+ +promote +1\.5\.0 +rolled-back +1\/3 of 10,30,100 +\d+ ms +ann/);
  });

  it("--verbose prints every raw journal entry, --json the entries as they are", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    assert.equal((await cli(h, ["promote", "--stack", "local", "--version", "1.4.0"])).code, 0);
    const entries = await h.deps.state("local").read();
    const verbose = (await cli(h, ["history", "--stack", "local", "--verbose"])).out;
    assert.equal(verbose.trimEnd().split("\n").length, entries.length);
    assert.match(verbose, /promote:start {2}1\.4\.0/);
    const json = JSON.parse((await cli(h, ["history", "--stack", "local", "--json"])).out) as JournalEntry[];
    assert.equal(json.length, entries.length);
  });

  it("folds an update, an open promotion and an abort's reason into their own lines", () => {
    const e = (over: Partial<JournalEntry>): JournalEntry =>
      ({ at: "2026-11-22T08:00:00Z", stack: "local", ...over }) as JournalEntry;
    const rows = historyRows([
      e({ promotionId: "u1", event: "intent", action: "update" }),
      e({ promotionId: "u1", event: "outcome", action: "update", ok: true, at: "2026-11-22T08:05:00Z" }),
      e({ promotionId: "p1", event: "start", action: "promote", version: "1.4.0", steps: [50, 100], host: "h" }),
      e({ promotionId: "p1", event: "outcome", action: "step", step: 0, ok: true }),
      e({ promotionId: "p1", event: "end", action: "abort", status: "rolled-back", reason: "pager" }),
      e({ promotionId: "p2", event: "start", action: "promote", version: "1.5.0", steps: [100] }),
    ]);
    assert.deepEqual(
      rows.map((r) => [r.action, r.version, r.outcome, r.steps, r.duration, r.who, r.notes]),
      [
        ["update", "-", "ok", "-", "5m", "-", ""],
        ["promote", "1.4.0", "rolled-back (abort)", "1/2 of 50,100", "0 ms", "h", "reason: pager"],
        ["promote", "1.5.0", "open", "0/1 of 100", "0 ms", "-", ""],
      ],
    );
  });
});
