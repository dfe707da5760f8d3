// The release record as the commands use it: every runner reads the same release from the backend, a stack
// migrates from release keys in its file on first use, and a driver killed between an update and its record write
// is reconciled by the next command, which says so.
import { strict as assert } from "assert";
import { run } from "../../../automation/cli/entry";
import { previousStage } from "../../../automation/commands/promote";
import type { Release } from "../../../automation/state/store";
import { baseConfig, FakeEngine, harness, Harness, recorded } from "../fakes";

const ALL = ["api-gateway", "calculation-service", "data-service", "cache-service", "audit-service"];

async function cli(h: Harness, argv: string[]) {
  let out = "";
  let err = "";
  const code = await run(argv, h.deps.stacks, async () => h.deps, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
  });
  return { code, out, err };
}

/** Another runner: a fresh checkout (the committed stack files), the same backend dir, the same deployed stacks. */
function nextRunner(prev: Harness, stacks: Record<string, Record<string, string>>): Harness {
  const engine = new FakeEngine(stacks);
  engine.applied = prev.engine.applied;
  return harness(engine, {}, prev.dir);
}

describe("#release-record", () => {
  it("a release promoted by one runner is what the next runner's status reports and its up applies", async () => {
    const files = { local: baseConfig("local") };
    const first = harness(new FakeEngine(files));
    assert.equal((await cli(first, ["promote", "--stack", "local", "--version", "1.4.0"])).code, 0);

    const second = nextRunner(first, files);
    const s = JSON.parse((await cli(second, ["status", "--stack", "local", "--json"])).out)[0];
    assert.equal(s.stableVersion, "1.4.0");
    assert.equal(s.state, "deployed");
    assert.equal(s.record.seq, 5, "the record: created, then one version per step (3) and the finalize");
    const up = await cli(second, ["up", "--stack", "local"]);
    assert.equal(up.code, 0, up.err);
    const call = second.engine.calls.find((c) => c.op === "up")!;
    assert.equal(call.release, undefined, "up must let the program read the record, not hand it a release");
    assert.equal(
      (second.engine.applied.get("local")!.services as Record<string, { stableVersion: string }>)["api-gateway"]
        .stableVersion,
      "1.4.0",
    );

    const third = nextRunner(first, files);
    const p = await cli(third, ["promote", "--stack", "local", "--version", "1.4.1"]);
    assert.equal(p.code, 0, p.err);
    assert.equal(recorded(third, "local")!.stableVersion, "1.4.1");
  });

  it("a stack with release keys in its file and no record gets one from the deployed stack, saying so once", async () => {
    const h = harness(
      new FakeEngine({
        local: baseConfig("local", {
          "slipway:stableVersion": "1.2.0",
          "slipway:canaryVersion": "1.3.0",
          "slipway:canaryWeight": "30",
        }),
      }),
    );
    const r = await cli(h, ["status", "--stack", "local"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(recorded(h, "local"), {
      stableVersion: "1.2.0",
      serviceVersions: {},
      canaryVersion: "1.3.0",
      canaryWeight: 30,
      canaryServices: ALL,
    });
    assert.deepEqual(
      h.progress.filter((l) => /no release record yet/.test(l)),
      [
        `local: no release record yet; created ${h.dir}/.slipway/slipway/local version 1 from the deployed stack (stable 1.2.0); from now on the record, not the stack file, holds the release`,
      ],
    );
    await cli(h, ["status", "--stack", "local"]);
    assert.equal(h.progress.filter((l) => /no release record yet/.test(l)).length, 1);
  });

  it("a stack never deployed gets its record from the stack file on its first update, not from status", async () => {
    const engine = new FakeEngine({ local: baseConfig("local", { "slipway:stableVersion": "1.2.0" }) });
    engine.applied.set("local", {});
    const h = harness(engine);
    const s = JSON.parse((await cli(h, ["status", "--stack", "local", "--json"])).out)[0];
    assert.equal(s.state, "not deployed");
    assert.equal(recorded(h, "local"), undefined);
    assert.equal((await cli(h, ["up", "--stack", "local"])).code, 0);
    assert.equal(recorded(h, "local")!.stableVersion, "1.2.0");
    assert.ok(
      h.progress.some((l) => /version 1 from the stack file \(stable 1\.2\.0\)/.test(l)),
      h.progress.join("\n"),
    );
  });
});

/** What a driver killed right after the update of step 1 (before its record write and outcome) leaves behind. */
async function killedBeforeRecordWrite(h: Harness, applied: boolean): Promise<Release> {
  const release: Release = {
    stableVersion: "1.0.0",
    serviceVersions: {},
    canaryVersion: "1.4.0",
    canaryWeight: 10,
    canaryServices: ALL,
  };
  const s = h.deps.state("local");
  await s.writeRelease(
    {
      seq: 1,
      stack: "local",
      updatedAt: "2026-12-01T07:00:00Z",
      writtenBy: "dead1",
      command: "promote",
      release: { ...release, canaryVersion: "", canaryWeight: 0 },
    },
    undefined,
  );
  await s.append({
    at: "2026-12-01T07:00:00Z",
    promotionId: "dead1",
    stack: "local",
    event: "start",
    action: "promote",
    version: "1.4.0",
    steps: [10, 30, 100],
  });
  await s.append({
    at: "2026-12-01T07:00:01Z",
    promotionId: "dead1",
    stack: "local",
    event: "intent",
    action: "step",
    step: 0,
    weight: 10,
    release,
  });
  if (applied) await h.engine.up("local", { release });
  h.engine.calls.length = 0;
  return release;
}

describe("#reconcile: an interrupted update", () => {
  it("records the release an interrupted update applied, and says so, before the command goes on", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    const release = await killedBeforeRecordWrite(h, true);
    const r = await cli(h, ["abort", "--stack", "local"]);
    assert.equal(r.code, 0, r.err);
    assert.ok(
      h.progress.some(
        (l) =>
          l ===
          "local: reconciled: the interrupted step (step 1, weight 10%) of dead1 had applied before the driver stopped; the release record (version 2) now records it",
      ),
      h.progress.join("\n"),
    );
    const journal = await h.deps.state("local").read();
    assert.ok(journal.some((e) => e.action === "reconcile" && e.ok === true && e.promotionId === "dead1"));
    // The abort then rolled back from the reconciled record: the canary the killed driver applied is gone.
    assert.deepEqual(h.engine.trace().slice(-3), [
      "up local targeted 1.0.0 canary none@0 rolled-back 1.4.0",
      "outputs local",
      "up local targeted 1.0.0 canary none@0 rolled-back 1.4.0",
    ]);
    assert.deepEqual(recorded(h, "local"), {
      ...release,
      canaryVersion: "",
      canaryWeight: 0,
      rolledBackVersion: "1.4.0",
    });
  });

  it("keeps the record when the interrupted update did not apply, and says so", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    await killedBeforeRecordWrite(h, false);
    const r = await cli(h, ["promote", "--stack", "local", "--version", "1.4.1"]);
    assert.equal(r.code, 0, r.err);
    assert.ok(
      h.progress.some(
        (l) =>
          l ===
          "local: reconciled: the interrupted step (step 1, weight 10%) of dead1 did not apply; the release record stays at version 1",
      ),
      h.progress.join("\n"),
    );
    assert.equal(recorded(h, "local")!.stableVersion, "1.4.1");
  });
});

describe("#reconcile: an interrupted finalize", () => {
  it("closes a promotion whose finalize had applied as completed, without rolling it back", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    const s = h.deps.state("local");
    const stable: Release = {
      stableVersion: "1.4.0",
      serviceVersions: {},
      canaryVersion: "",
      canaryWeight: 0,
      canaryServices: ALL,
    };
    await s.writeRelease(
      {
        seq: 1,
        stack: "local",
        updatedAt: "t",
        writtenBy: "dead1",
        command: "promote",
        release: { ...stable, stableVersion: "1.0.0", canaryVersion: "1.4.0", canaryWeight: 100 },
      },
      undefined,
    );
    await s.append({
      at: "t",
      promotionId: "dead1",
      stack: "local",
      event: "start",
      action: "promote",
      version: "1.4.0",
      steps: [100],
    });
    await s.append({
      at: "t",
      promotionId: "dead1",
      stack: "local",
      event: "intent",
      action: "finalize",
      version: "1.4.0",
      release: stable,
    });
    await h.engine.up("local", { release: stable });
    const r = await cli(h, ["promote", "--stack", "local", "--version", "1.4.0"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /local already runs 1\.4\.0/);
    const last = (await s.read()).filter((e) => e.promotionId === "dead1").pop()!;
    assert.equal(last.status, "completed");
  });
});

describe("#status", () => {
  it("lists every stack with its state instead of failing on the first one that does not exist", async () => {
    const engine = new FakeEngine({ local: baseConfig("local") });
    const h = harness(engine, { backendUrl: undefined });
    const r = await cli(h, ["status"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^dev: no backend configured \(export PULUMI_BACKEND_URL to read it\)$/m);
    assert.match(r.out, /^local: stable 1\.0\.0, canary none \(deployed\)$/m);
    const withBackend = harness(engine, {}, h.dir);
    const all = JSON.parse((await cli(withBackend, ["status", "--json"])).out) as Array<{
      stack: string;
      state: string;
    }>;
    assert.deepEqual(
      all.map((s) => `${s.stack}: ${s.state}`),
      ["dev: not deployed", "staging: not deployed", "prod: not deployed", "local: deployed"],
    );
  });
});

describe("#stage-order", () => {
  const table: Array<[string, string[], string | undefined]> = [
    ["staging", ["dev", "staging", "prod"], "dev"],
    ["prod-eu", ["dev", "staging", "staging-eu", "prod-eu"], "staging-eu"],
    ["dev", ["dev", "staging"], undefined],
    ["local", ["local", "local-dev"], undefined],
    ["local-staging", ["local", "local-dev", "local-staging"], "local-dev"],
    ["local-prod", ["local-staging", "local-prod"], "local-staging"],
    ["local-staging", ["local", "local-staging"], undefined],
  ];
  for (const [stack, stacks, prev] of table) {
    it(`${stack} among ${stacks.join(", ")} follows ${prev ?? "no stage"}`, () => {
      assert.equal(previousStage(stack, stacks), prev);
    });
  }

  it("a local-staging stack takes a version only after local-dev shipped it, read from local-dev's record", async () => {
    const files = { "local-dev": baseConfig("local"), "local-staging": baseConfig("local") };
    const h = harness(new FakeEngine(files), { stacks: Object.keys(files) });
    const refused = await cli(h, ["promote", "--stack", "local-staging", "--version", "1.4.0"]);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /local-staging takes 1\.4\.0 only after local-dev ran it healthily/);
    assert.equal((await cli(h, ["promote", "--stack", "local-dev", "--version", "1.4.0"])).code, 0);
    const other = nextRunner(h, files);
    other.deps.stacks = Object.keys(files);
    const r = await cli(other, ["promote", "--stack", "local-staging", "--version", "1.4.0"]);
    assert.equal(r.code, 0, r.err);
    assert.equal(recorded(other, "local-staging")!.stableVersion, "1.4.0");
  });
});
