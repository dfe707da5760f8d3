// `slipway rollback` on a stack that runs another system than the default one: its catalogue decides which services
// go back and which promotions made a version good, never the default catalogue's names.
import { strict as assert } from "assert";
import { run } from "../../../automation/cli/entry";
import { Harness, recorded } from "../fakes";
import { cli, journal, STACKS } from "./promoteKit";
import { promotedLocal, ROLLBACK_LOCAL, updates } from "./rollbackKit";

const BANK = {
  "slipway:services": JSON.stringify([
    { name: "teller", port: 9090, entry: true, reaches: { services: ["ledger"] } },
    { name: "ledger" },
    { name: "settler", canary: false },
  ]),
};

/** A promotion of part of the catalogue, `--services` checked against the stack file's catalogue as the CLI does. */
async function promoteSubset(h: Harness, version: string, services: string): Promise<number> {
  const argv = ["promote", "--stack", "local", "--version", version, "--services", services];
  const io = { stdout: () => undefined, stderr: () => undefined, catalogue: () => ["teller", "ledger", "settler"] };
  return run(argv, STACKS, async () => h.deps, io);
}

describe("slipway rollback on a stack with its own service catalogue", () => {
  it("returns every service of the catalogue to the previous completed version in one update", async () => {
    const h = await promotedLocal(["1.4.0", "1.5.0"], BANK);
    const before = h.engine.calls.length;
    const r = await cli(h, ROLLBACK_LOCAL);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /local rolled back 1\.5\.0 -> 1\.4\.0/);
    assert.deepEqual(updates(h, before), ["up local full 1.4.0 canary none@0"]);
    const release = recorded(h, "local")!;
    assert.equal(release.stableVersion, "1.4.0");
    assert.deepEqual(release.serviceVersions, {}, "no service is left on the version backed out");
  });

  it("with --canary walks the catalogue's canaried services, the exempt one following at the end", async () => {
    const h = await promotedLocal(["1.4.0", "1.5.0"], BANK);
    const r = await cli(h, [...ROLLBACK_LOCAL, "--canary"]);
    assert.equal(r.code, 0, r.err);
    const release = recorded(h, "local")!;
    assert.deepEqual([release.stableVersion, release.serviceVersions], ["1.4.0", {}]);
    const steps = (await journal(h, "local")).filter((e) => e.action === "step" && e.event === "intent");
    assert.ok(steps.length > 0, "the rollback went through canary steps");
  });

  it("does not count a promotion of part of the catalogue as a good release to return to", async () => {
    const h = await promotedLocal(["1.4.0", "1.5.0"], BANK);
    assert.equal(await promoteSubset(h, "1.6.0", "ledger"), 0);
    const all = await cli(h, ["promote", "--stack", "local", "--version", "1.7.0"]);
    assert.equal(all.code, 0, all.err);
    const r = await cli(h, [...ROLLBACK_LOCAL, "--json"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual([JSON.parse(r.out).from, JSON.parse(r.out).to], ["1.7.0", "1.5.0"]);
  });
});
