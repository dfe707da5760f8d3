import { strict as assert } from "assert";
import { deployment, nextPatch, SERVICES, slipway, STACK, status } from "./harness";

interface Entry {
  promotionId: string;
  event: string;
  action: string;
  version?: string;
  stableVersion?: string;
  status?: string;
  reason?: string;
}

describe("slipway rollback on the real engine and cluster", () => {
  it("returns every service's stable Deployment to the previous completed version in one update, and journals it", async () => {
    // Two completed versions, so the previous one is known whatever the tests before left behind.
    const previous = nextPatch((await status()).stableVersion);
    const shipped = await slipway(
      "promote",
      "--stack",
      STACK,
      "--version",
      previous,
      "--skip-canary",
      "--reason",
      "e2e base",
    );
    assert.equal(shipped.code, 0, `promote ${previous} exited ${shipped.code}:\n${shipped.stderr}`);
    const bad = nextPatch(previous);
    const promoted = await slipway("promote", "--stack", STACK, "--version", bad, "--interval", "1s");
    assert.equal(promoted.code, 0, `promote ${bad} exited ${promoted.code}:\n${promoted.stderr}`);
    assert.equal((await status()).stableVersion, bad);

    const r = await slipway("rollback", "--stack", STACK, "--reason", "e2e", "--json");
    assert.equal(r.code, 0, `rollback exited ${r.code}:\n${r.stderr}`);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual([doc.from, doc.to, doc.status], [bad, previous, "completed"]);

    for (const svc of SERVICES) {
      const stable = await deployment(`${svc}-stable`);
      assert.equal(stable.version, previous, `${svc}-stable runs ${stable.version}`);
      assert.match(stable.image, new RegExp(`:${previous.replace(/\./g, "\\.")}$`));
    }
    const after = await status();
    assert.equal(after.stableVersion, previous);
    assert.equal(after.canaryVersion, undefined);

    const h = await slipway("history", "--stack", STACK, "--json", "--limit", "50");
    assert.equal(h.code, 0, h.stderr);
    const mine = (JSON.parse(h.stdout) as Entry[]).filter((e) => e.promotionId === doc.rollbackId);
    assert.equal(mine.filter((e) => e.event === "intent").length, 1, "one update");
    const start = mine.find((e) => e.event === "start")!;
    assert.deepEqual(
      [start.action, start.stableVersion, start.version, start.reason],
      ["rollback", bad, previous, "e2e"],
    );
    assert.equal(mine.find((e) => e.event === "end")?.status, "completed");
    const table = await slipway("history", "--stack", STACK);
    assert.match(table.stdout, new RegExp(`rollback\\s+${previous.replace(/\./g, "\\.")}\\s+completed`));
  });
});
