// What people read of a release: --verbose on the commands that run updates, and the journal's start entry carrying
// the interval and bake the live view shows.
import { strict as assert } from "assert";
import { parseArgv } from "../../../automation/cli/argv";
import { baseConfig, FakeEngine, harness } from "../fakes";
import { cli, journal, promoteLocal } from "./promoteKit";

const STACKS = ["local", "dev"];

describe("--verbose: every advisory policy finding", () => {
  const COMMANDS: string[][] = [
    ["up", "--stack", "local"],
    ["preview", "--stack", "local"],
    ["promote", "--stack", "local", "--version", "1.4.0"],
  ];
  for (const argv of COMMANDS) {
    it(`is a flag of ${argv[0]}, and absent from its arguments unless given`, () => {
      const on = parseArgv([...argv, "--verbose"], STACKS);
      const off = parseArgv(argv, STACKS);
      assert.equal(on.command !== "help" && "verbose" in on.args && on.args.verbose, true);
      assert.equal(off.command !== "help" && "verbose" in off.args, false);
    });
  }

  it("is refused by commands that run no update", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    const r = await cli(h, ["status", "--stack", "local", "--verbose"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /unknown option '--verbose'/);
  });
});

describe("the journal's start of a promotion", () => {
  it("carries the interval and the bake, so a watcher in another job can tell when the next step is due", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    const r = await cli(h, [...promoteLocal, "--interval", "90s"]);
    assert.equal(r.code, 0, r.err);
    const start = (await journal(h, "local")).find((e) => e.event === "start")!;
    assert.deepEqual([start.intervalMs, start.bakeMs], [90_000, 0]);
    assert.ok(h.progress.some((l) => /step 1\/3 weight 10%: verdict pass in 1m 30s$/.test(l)));
    assert.ok(h.progress.some((l) => /1\.4\.0 promoted in \d+m( \d+s)?$/.test(l)));
  });
});
