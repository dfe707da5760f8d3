// `slipway rollback`: where it goes, how (one update, then the gates), and what it refuses before anything changes.
import { strict as assert } from "assert";
import { provider, recorded } from "../fakes";
import { cli, journal, SERVICES } from "./promoteKit";
import { lockedByPromotion, promotedLocal, ROLLBACK_LOCAL, tamper, updates } from "./rollbackKit";

const stable = (version: string) => ({
  stableVersion: version,
  serviceVersions: {},
  canaryVersion: "",
  canaryWeight: 0,
  canaryServices: [...SERVICES],
});

describe("slipway rollback: the target and the one update", () => {
  it("returns every service to the previous completed version in ONE full update, then journals it", async () => {
    const h = await promotedLocal(["1.4.0", "1.5.0"]);
    const before = h.engine.calls.length;
    const r = await cli(h, ROLLBACK_LOCAL);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /local rolled back 1\.5\.0 -> 1\.4\.0/);
    assert.deepEqual(updates(h, before), ["up local full 1.4.0 canary none@0"]);
    assert.deepEqual(recorded(h, "local"), stable("1.4.0"));
    const mine = (await journal(h, "local")).filter((e) => e.action === "rollback" && e.event !== "outcome");
    assert.deepEqual(
      mine.map((e) => `${e.event} ${e.version}`),
      ["start 1.4.0", "intent 1.4.0", "end 1.4.0"],
    );
    const start = mine[0];
    assert.equal(start.stableVersion, "1.5.0");
    assert.equal(start.reason, "INC-7 error rate");
    assert.equal(mine[2].status, "completed");
  });

  it("goes to --to, a version the stack completed before, skipping the ones between", async () => {
    const h = await promotedLocal(["1.4.0", "1.5.0", "1.6.0"]);
    const r = await cli(h, [...ROLLBACK_LOCAL, "--to", "1.4.0"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(recorded(h, "local"), stable("1.4.0"));
  });

  it("after a rollback, the next one goes further back, never to the version backed out", async () => {
    const h = await promotedLocal(["1.4.0", "1.5.0", "1.6.0"]);
    assert.equal((await cli(h, ROLLBACK_LOCAL)).code, 0);
    assert.equal(recorded(h, "local")!.stableVersion, "1.5.0");
    assert.equal((await cli(h, ROLLBACK_LOCAL)).code, 0);
    assert.equal(recorded(h, "local")!.stableVersion, "1.4.0");
  });

  it("with --canary walks the stack's canary steps to the target, then makes it stable", async () => {
    const h = await promotedLocal(["1.4.0", "1.5.0"]);
    const before = h.engine.calls.length;
    const r = await cli(h, [...ROLLBACK_LOCAL, "--canary"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(updates(h, before), [
      "up local full 1.5.0 canary 1.4.0@10",
      "up local targeted 1.5.0 canary 1.4.0@30",
      "up local full 1.5.0 canary 1.4.0@100",
      "up local full 1.4.0 canary none@0",
    ]);
    assert.deepEqual(recorded(h, "local"), stable("1.4.0"));
  });

  it("--dry-run previews the update and changes nothing", async () => {
    const h = await promotedLocal(["1.4.0", "1.5.0"]);
    const before = h.engine.calls.length;
    const r = await cli(h, [...ROLLBACK_LOCAL, "--dry-run"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /would roll back 1\.5\.0 -> 1\.4\.0 in one update; nothing changed/);
    assert.deepEqual(updates(h, before), []);
    assert.ok(h.engine.calls.slice(before).some((c) => c.op === "preview" && c.release?.stableVersion === "1.4.0"));
    assert.equal(recorded(h, "local")!.stableVersion, "1.5.0");
  });
});

describe("slipway rollback: the stack's gates after the update", () => {
  const httpGates = {
    "slipway:canary": JSON.stringify({
      steps: [10, 30, 100],
      interval: "0s",
      timeout: "200ms",
      analysis: [{ provider: "kubernetes" }, { provider: "http", url: "http://api-gateway.local/health" }],
    }),
  };

  it("runs the live gates after the update, never before it", async () => {
    const h = await promotedLocal(["1.4.0", "1.5.0"], httpGates);
    const order: string[] = [];
    h.engine.beforeUp = () => void order.push("up");
    h.deps.providers = (specs) =>
      specs.map((g) =>
        provider(
          () => (order.push(`gate ${g.provider}`), { provider: g.provider, ok: true, detail: "200", durationMs: 0 }),
        ),
      );
    const r = await cli(h, ROLLBACK_LOCAL);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(
      order,
      ["up", "gate http"],
      "the kubernetes gate judges canary pods, which a rollback has none of",
    );
  });

  it("exits 3 when a gate fails afterwards, and stays on the target: no roll forward", async () => {
    const h = await promotedLocal(["1.4.0", "1.5.0"], httpGates);
    const before = h.engine.calls.length;
    h.deps.providers = (specs) =>
      specs.map(() => provider(() => ({ provider: "http", ok: false, detail: "status 503", durationMs: 0 }), "http"));
    const r = await cli(h, ROLLBACK_LOCAL);
    assert.equal(r.code, 3);
    assert.match(
      r.err,
      /rolled back to 1\.4\.0, but its gates failed afterwards: http: status 503; the stack stays on 1\.4\.0/,
    );
    assert.deepEqual(updates(h, before), ["up local full 1.4.0 canary none@0"]);
    assert.equal(recorded(h, "local")!.stableVersion, "1.4.0");
    const end = (await journal(h, "local")).filter((e) => e.action === "rollback" && e.event === "end").pop();
    assert.equal(end?.status, "failed");
  });
});

describe("slipway rollback: refusals before anything changes (exit 1)", () => {
  const cases: [string, string[], RegExp, ((h: Awaited<ReturnType<typeof promotedLocal>>) => void)?][] = [
    [
      "a version never completed",
      [...ROLLBACK_LOCAL, "--to", "1.3.0"],
      /--to 1\.3\.0: local never completed a promotion of 1\.3\.0 \(it completed 1\.4\.0, 1\.5\.0\)/,
    ],
    [
      "the version already serving",
      [...ROLLBACK_LOCAL, "--to", "1.5.0"],
      /local already serves 1\.5\.0 on every service: nothing to roll back/,
    ],
    ["a missing reason", ["rollback", "--stack", "local"], /--reason is required: say why the stack goes back/],
    ["an empty reason", ["rollback", "--stack", "local", "--reason", " \u200b "], /--reason is empty/],
    ["a --to that is no version", [...ROLLBACK_LOCAL, "--to", "latest"], /--to "latest" is not allowed/],
    [
      "a tampered journal",
      ROLLBACK_LOCAL,
      /journal does not verify .*run slipway audit verify --stack local/,
      (h) => tamper(h, "local", '"version":"1.4.0"', '"version":"1.3.0"'),
    ],
    [
      "a database restore on local",
      [...ROLLBACK_LOCAL, "--restore-database"],
      /--restore-database: local has no database/,
    ],
    [
      "--restore-database with --canary",
      [...ROLLBACK_LOCAL, "--restore-database", "--canary"],
      /drop --canary, or drop --restore-database/,
    ],
  ];
  for (const [what, argv, message, spoil] of cases)
    it(`refuses ${what}, naming the fix, with no update and no journal entry`, async () => {
      const h = await promotedLocal(["1.4.0", "1.5.0"]);
      spoil?.(h);
      const before = h.engine.calls.length;
      const entries = (await journal(h, "local")).length;
      const r = await cli(h, argv);
      assert.equal(r.code, 1, r.err);
      assert.match(r.err, message);
      assert.deepEqual(updates(h, before), []);
      assert.equal((await journal(h, "local")).length, entries);
    });

  it("refuses a stack with no earlier good version, naming --to", async () => {
    const h = await promotedLocal(["1.4.0"]);
    const r = await cli(h, ROLLBACK_LOCAL);
    assert.equal(r.code, 1);
    assert.match(r.err, /no earlier good release to return to.*name one with --to/);
  });

  it("exits 5 while a promotion holds the lock, naming slipway abort and changing nothing", async () => {
    const h = await promotedLocal(["1.4.0", "1.5.0"]);
    lockedByPromotion(h, "local");
    const before = h.engine.calls.length;
    const r = await cli(h, ROLLBACK_LOCAL);
    assert.equal(r.code, 5, r.err);
    assert.match(r.err, /nothing was rolled back: wait for it to end.*slipway abort --stack local/);
    assert.deepEqual(updates(h, before), []);
    assert.equal(recorded(h, "local")!.stableVersion, "1.5.0");
  });
});
