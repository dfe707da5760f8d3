import { strict as assert } from "assert";
import { clusterWeights, deployment, nextPatch, SERVICES, Slipway, splitWeights, STACK, status } from "./harness";

describe("slipway promote on the real engine and cluster", () => {
  it("ships a new version through 10 -> 30 -> 100 with the cluster's traffic objects at each weight, then makes it stable with the canary at zero", async () => {
    const before = await status();
    const version = nextPatch(before.stableVersion);
    const seen: Array<{ step: string; annotations: Record<string, number>; backends: Record<string, number> }> = [];
    const reads: Array<Promise<void>> = [];
    const run = new Slipway(["promote", "--stack", STACK, "--version", version, "--interval", "1s"], (line) => {
      const m = /step (\d+)\/\d+ weight (\d+)%: verdict pass/.exec(line);
      // The driver starts the next step's update right after this line; the engine takes seconds before it
      // touches the cluster, so the cluster read here is the step's own state.
      if (m)
        reads.push(
          Promise.all([clusterWeights(), splitWeights()]).then(
            ([annotations, backends]) => void seen.push({ step: m[2], annotations, backends }),
          ),
        );
    });

    const r = await run.done;
    await Promise.all(reads);

    assert.equal(r.code, 0, `promote exited ${r.code}:\n${r.stderr}`);
    assert.deepEqual(
      seen.map((s) => s.step),
      ["10", "30", "100"],
    );
    for (const s of seen) {
      for (const svc of SERVICES) {
        assert.equal(s.annotations[svc], Number(s.step), `${svc}'s TrafficSplit annotation at step ${s.step}`);
        assert.equal(s.backends[svc], Number(s.step), `${svc}'s canary backend weight at step ${s.step}`);
      }
    }
    for (const svc of SERVICES) {
      const stable = await deployment(`${svc}-stable`);
      assert.equal(stable.version, version, `${svc}-stable runs ${stable.version}`);
      assert.match(stable.image, new RegExp(`:${version.replace(/\./g, "\\.")}$`));
      assert.equal(
        (await deployment(`${svc}-canary`).catch(() => ({ replicas: 0 }))).replicas,
        0,
        `${svc}-canary is not at zero`,
      );
    }
    assert.deepEqual(
      Object.values(await clusterWeights()),
      SERVICES.map(() => 0),
    );
    const after = await status();
    assert.equal(after.stableVersion, version);
    assert.equal(after.canaryVersion, undefined);
    assert.equal(after.lastPromotion?.status, "completed");
  });
});
