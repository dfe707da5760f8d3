// `slipway rollback` as a regulated change: prod's approval (or what slipway:approval.rollback says), a change freeze
// and --break-glass, its change record in history, status and the audit export, and the database restore.
import { strict as assert } from "assert";
import { recorded } from "../fakes";
import { cli, journal } from "./promoteKit";
import { promotedLocal, ROLLBACK_LOCAL, shippedProd, updates } from "./rollbackKit";

const ROLLBACK_PROD = ["rollback", "--stack", "prod", "--reason", "INC-9 checkout errors"];

describe("slipway rollback: approval and freeze on prod", () => {
  it("needs the stack's approval on prod: refused without an approver, before any change", async () => {
    const h = await shippedProd(["1.3.0", "1.4.0"]);
    const r = await cli(h, ROLLBACK_PROD);
    assert.equal(r.code, 1);
    assert.match(r.err, /--approved-by is required for prod/);
    assert.deepEqual(updates(h), []);
  });

  it("journals the approver on the rollback's start, with who, why, from and to", async () => {
    const h = await shippedProd(["1.3.0", "1.4.0"]);
    const r = await cli(h, [...ROLLBACK_PROD, "--approved-by", "Jane Doe"]);
    assert.equal(r.code, 0, r.err);
    assert.equal(recorded(h, "prod")!.stableVersion, "1.3.0");
    const start = (await journal(h, "prod")).find((e) => e.action === "rollback" && e.event === "start")!;
    assert.deepEqual(
      [start.stableVersion, start.version, start.reason, start.approvedBy],
      ["1.4.0", "1.3.0", "INC-9 checkout errors", "Jane Doe"],
    );
    assert.equal(start.evidence?.approval?.verified, false);
  });

  it("follows slipway:approval.rollback: no approver asked when it sets requiredReviewers 0", async () => {
    const approval = { "slipway:approval": JSON.stringify({ rollback: { requiredReviewers: 0 } }) };
    const h = await shippedProd(["1.3.0", "1.4.0"], { extra: approval });
    assert.equal((await cli(h, ROLLBACK_PROD)).code, 0);
    const promote = await cli(h, ["promote", "--stack", "prod", "--version", "1.5.0"]);
    assert.equal(promote.code, 1);
    assert.match(promote.err, /--approved-by is required for prod/, "a promotion still needs the approval");
  });

  it("is refused inside a freeze window; --break-glass overrides it and flags the result", async () => {
    const freeze = {
      "slipway:freeze": JSON.stringify({ windows: [{ name: "cutover", from: "2026-11-21", until: "2026-11-23" }] }),
    };
    const h = await shippedProd(["1.3.0", "1.4.0"], { extra: freeze });
    const refused = await cli(h, [...ROLLBACK_PROD, "--approved-by", "Jane"]);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /prod is frozen: window "cutover"/);
    assert.deepEqual(updates(h), []);
    const r = await cli(h, [...ROLLBACK_PROD, "--approved-by", "Jane", "--break-glass"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^BREAK-GLASS: freeze "cutover" .* overridden: INC-9 checkout errors\n/);
    const start = (await journal(h, "prod")).find((e) => e.action === "rollback" && e.event === "start")!;
    assert.equal(start.evidence?.breakGlass?.window.name, "cutover");
  });
});

describe("slipway rollback: its change record in history, status and the audit export", () => {
  it("shows in history, status and the audit export as a rollback from 1.5.0 to 1.4.0", async () => {
    const h = await promotedLocal(["1.4.0", "1.5.0"]);
    assert.equal((await cli(h, ROLLBACK_LOCAL)).code, 0);
    const history = (await cli(h, ["history", "--stack", "local"])).out;
    assert.match(history, /rollback\s+1\.4\.0\s+completed\s.*back from 1\.5\.0; reason: INC-7 error rate/);
    const status = (await cli(h, ["status", "--stack", "local"])).out;
    assert.match(status, /local: stable 1\.4\.0, canary none/);
    assert.match(status, /last rollback: 1\.5\.0 -> 1\.4\.0 completed \(.*reason: INC-7 error rate\)/);
    const [doc] = JSON.parse((await cli(h, ["status", "--stack", "local", "--json"])).out);
    assert.deepEqual([doc.lastRollback.from, doc.lastRollback.to], ["1.5.0", "1.4.0"]);
    const args = [
      "audit",
      "export",
      "--stack",
      "local",
      "--since",
      "2026-11-01",
      "--format",
      "json",
      "--out",
      "x.json",
    ];
    assert.equal((await cli(h, args)).code, 0);
    const records = JSON.parse(h.files.get("x.json")!).records as Record<string, unknown>[];
    const rb = records.filter((r) => r.kind === "rollback");
    assert.equal(rb.length, 1);
    assert.deepEqual(
      [rb[0].version, rb[0].previousVersion, rb[0].outcome, rb[0].reason],
      ["1.4.0", "1.5.0", "completed", "INC-7 error rate"],
    );
  });
});

describe("slipway rollback --restore-database", () => {
  const RESTORE = [...ROLLBACK_PROD, "--approved-by", "Jane", "--restore-database"];

  it("restores from the snapshot taken before the release it backs out: previewed, then in the one update", async () => {
    const h = await shippedProd(["1.3.0", "1.4.0"], { backup: true });
    const before = h.engine.calls.length;
    const r = await cli(h, RESTORE);
    assert.equal(r.code, 0, r.err);
    const calls = h.engine.calls.slice(before).filter((c) => c.op === "preview" || c.op === "up");
    const restore = { snapshotId: "slipway-prod-release-1-4-0", release: "1.4.0" };
    assert.deepEqual(
      calls.map((c) => [c.op, c.release?.stableVersion, c.release?.restoreFrom]),
      [
        ["preview", "1.3.0", restore],
        ["up", "1.3.0", restore],
      ],
    );
    assert.deepEqual(recorded(h, "prod")!.restoreFrom, restore, "later updates keep the restored instance");
    assert.match(r.out, /prod rolled back 1\.4\.0 -> 1\.3\.0, database restored from slipway-prod-release-1-4-0/);
  });

  it("is refused when the journal holds no snapshot id for that release, before any change", async () => {
    const h = await shippedProd(["1.3.0", "1.4.0"]);
    const r = await cli(h, RESTORE);
    assert.equal(r.code, 1);
    assert.match(r.err, /no snapshot id for the release of 1\.4\.0.*roll back without --restore-database/);
    assert.deepEqual(updates(h), []);
  });

  it("never restores without the flag, even when a snapshot exists", async () => {
    const h = await shippedProd(["1.3.0", "1.4.0"], { backup: true });
    assert.equal((await cli(h, [...ROLLBACK_PROD, "--approved-by", "Jane"])).code, 0);
    assert.ok(h.engine.calls.every((c) => c.release?.restoreFrom === undefined));
  });
});
