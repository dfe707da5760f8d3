import { strict as assert } from "assert";
import { clusterWeights, deployment, nextPatch, SERVICES, slipway, Slipway, STACK, status } from "./harness";

describe("a promotion interrupted or contested on the real engine", () => {
  it("refuses a second promotion of the same stack with exit 5 while one runs", async () => {
    const version = nextPatch((await status()).stableVersion);
    const first = new Slipway(["promote", "--stack", STACK, "--version", version, "--interval", "1s"]);
    await first.waitFor(/step 1\/\d+ weight \d+%: (targeted|full) update/);

    const second = await slipway("promote", "--stack", STACK, "--version", version, "--interval", "1s");

    assert.equal(second.code, 5, `expected exit 5 (locked), got ${second.code}:\n${second.stderr}`);
    assert.match(second.stderr, /locked by promote/);
    first.child.kill("SIGKILL");
    await first.done;
  });

  it("after SIGKILL during step 2 the next promote rolls back to safety (weight 0, stable unchanged, journal says recovered), then ships", async () => {
    const before = await status();
    const stableBefore = await deployment("api-gateway-stable");
    const version = nextPatch(before.stableVersion);
    const killed = new Slipway(["promote", "--stack", STACK, "--version", version, "--interval", "1s"]);
    await killed.waitFor(/step 2\/\d+ weight \d+%: (targeted|full) update/);
    // Mid-update: give the engine time to start changing the cluster.
    await new Promise((r) => setTimeout(r, 3000));
    killed.child.kill("SIGKILL");
    const k = await killed.done;
    assert.equal(k.signal, "SIGKILL");

    let atRecovery: Promise<[Record<string, number>, string]> | undefined;
    const next = await new Slipway(
      ["promote", "--stack", STACK, "--version", nextPatch(version), "--interval", "1s"],
      (line) => {
        // Read at the moment the driver reports the recovery, before the new promotion's first update reaches the cluster.
        if (/recovered: rolled back/.test(line))
          atRecovery = Promise.all([clusterWeights(), deployment("api-gateway-stable").then((d) => d.version)]);
      },
    ).done;

    assert.ok(atRecovery, `the driver never reported a recovery:\n${next.stderr}`);
    const [weightsAtRecovery, stableAtRecovery] = await atRecovery;
    assert.deepEqual(
      weightsAtRecovery,
      Object.fromEntries(SERVICES.map((s) => [s, 0])),
      "the recovery left canary traffic",
    );
    assert.equal(stableAtRecovery, stableBefore.version, "the recovery changed the stable version");
    assert.equal(next.code, 0, `the promotion after the crash exited ${next.code}:\n${next.stderr}`);
    assert.match(next.stderr, /recovered: rolled back the interrupted canary/);
    const h = JSON.parse((await slipway("history", "--stack", STACK, "--json")).stdout) as Array<{
      event: string;
      status?: string;
      version?: string;
      action: string;
      promotionId: string;
    }>;
    const start = h.filter((e) => e.event === "start" && e.version === version).pop();
    assert.ok(start, "no journal start for the killed promotion");
    assert.ok(
      h.some((e) => e.promotionId === start.promotionId && e.status === "recovered: rolled back"),
      "the journal does not say the killed promotion was recovered",
    );
    // The recovery itself: between the rollback and the new promotion the stable track never ran the killed version.
    assert.ok(
      !h.some((e) => e.promotionId === start.promotionId && e.action === "finalize"),
      "the killed version was finalized",
    );
    const after = await status();
    assert.equal(after.stableVersion, nextPatch(version));
    assert.equal(after.lastPromotion?.status, "completed");
    assert.deepEqual(await clusterWeights(), Object.fromEntries(SERVICES.map((s) => [s, 0])));
    assert.equal((await deployment("api-gateway-stable")).version, nextPatch(version));
  });
});
