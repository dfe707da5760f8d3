import { strict as assert } from "assert";
import { clusterWeights, deployment, SERVICES, slipway, STACK, status } from "./harness";
import { keepPodsUnready } from "./kwokStages";

const BAD = "9.9.9-bad";

describe("a failing canary on the real cluster", () => {
  let restore: () => Promise<void>;
  // kwok keeps pods of the bad version from ever becoming Ready (tools/README.md, the never-ready Stage recipe).
  before(async () => {
    restore = await keepPodsUnready(BAD);
  });
  after(async () => restore?.());

  it("is rolled back: exit 3, weight 0 in the cluster, stable version unchanged, and a journal entry says so", async () => {
    const before = await status();
    const stableBefore = await deployment("api-gateway-stable");

    const r = await slipway("promote", "--stack", STACK, "--version", BAD, "--interval", "1s");

    assert.equal(r.code, 3, `expected exit 3 (rolled back), got ${r.code}:\n${r.stderr}`);
    assert.match(r.stderr, new RegExp(`${BAD} rolled back`));
    assert.deepEqual(await clusterWeights(), Object.fromEntries(SERVICES.map((s) => [s, 0])));
    const stableAfter = await deployment("api-gateway-stable");
    assert.equal(stableAfter.version, stableBefore.version);
    assert.equal(stableAfter.generation, stableBefore.generation, "the stable Deployment was touched");
    for (const s of SERVICES)
      assert.equal(
        (await deployment(`${s}-canary`).catch(() => ({ replicas: 0 }))).replicas,
        0,
        `${s}-canary still runs`,
      );
    const after = await status();
    assert.equal(after.stableVersion, before.stableVersion);
    assert.equal(after.canaryVersion, undefined);
    assert.equal(after.canaryWeight, 0);

    const h = await slipway("history", "--stack", STACK, "--json");
    const entries = JSON.parse(h.stdout) as Array<{
      event: string;
      action: string;
      status?: string;
      ok?: boolean;
      version?: string;
      promotionId: string;
    }>;
    const start = entries.filter((e) => e.event === "start" && e.version === BAD).pop();
    assert.ok(start, "no journal start entry for the bad version");
    const mine = entries.filter((e) => e.promotionId === start.promotionId);
    assert.ok(
      mine.some((e) => e.action === "rollback" && e.event === "outcome" && e.ok === true),
      "no successful rollback in the journal",
    );
    assert.equal(mine[mine.length - 1].status, "rolled-back");
  });
});
