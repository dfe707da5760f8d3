// The release shapes besides the plain canary on the real engine and cluster: a blue-green promotion of the local
// stack (the new version at full size at 0%, one switch, the bake, the old version gone after it), and a failing
// post-promotion gate in the bake window that switches back at once while the old version still runs.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import {
  clusterWeights,
  deployment,
  kubectl,
  NAMESPACE,
  nextPatch,
  SERVICES,
  slipway,
  Slipway,
  STACK,
  status,
  theWorld,
} from "./harness";

function stackFile(): string {
  return path.join(theWorld().workDir, "stacks", `Pulumi.${STACK}.yaml`);
}

/** Merges `canary` into the work copy's slipway:canary; returns a function that puts the file back. */
function useCanary(canary: Record<string, unknown>): () => void {
  const before = fs.readFileSync(stackFile(), "utf8");
  const doc = parseYaml(before);
  doc.config["slipway:canary"] = { ...doc.config["slipway:canary"], ...canary };
  fs.writeFileSync(stackFile(), stringifyYaml(doc));
  return () => fs.writeFileSync(stackFile(), before);
}

const weightsOf = (w: number) => Object.fromEntries(SERVICES.map((s) => [s, w]));

/** Versions the namespace's Deployments run with replicas above zero. */
async function runningVersions(): Promise<Record<string, string[]>> {
  const list = JSON.parse(await kubectl("-n", NAMESPACE, "get", "deployments", "-o", "json")) as {
    items: Array<{
      metadata: { name: string };
      spec: { replicas?: number; template: { metadata: { labels: Record<string, string> } } };
    }>;
  };
  const out: Record<string, string[]> = {};
  for (const d of list.items) {
    if ((d.spec.replicas ?? 0) === 0) continue;
    const v = d.spec.template.metadata.labels["app.kubernetes.io/version"];
    (out[v] ??= []).push(d.metadata.name);
  }
  return out;
}

describe("release shapes on the real cluster", () => {
  let restore: (() => void) | undefined;
  afterEach(() => restore?.());

  it("blue-green: the new version at full size at 0%, one switch to 100%, the bake, then the old version is gone", async () => {
    restore = useCanary({ strategy: "blueGreen", bake: "6s", interval: "1s" });
    const old = (await status()).stableVersion;
    const next = nextPatch(old);
    const seen: Record<string, unknown> = {};
    const driver = new Slipway(["promote", "--stack", STACK, "--version", next]);
    await driver.waitFor(/pre-promotion gates against/);
    seen.atZero = await clusterWeights();
    seen.canary = await deployment("api-gateway-canary");
    seen.stable = await deployment("api-gateway-stable");
    await driver.waitFor(/bake \d+ ms at 100%/);
    seen.switched = await clusterWeights();
    seen.oldDuringBake = await deployment("api-gateway-stable");
    const r = await driver.done;
    assert.equal(r.code, 0, r.stderr);

    assert.deepEqual(seen.atZero, weightsOf(0), "traffic moved before the switch");
    const canary = seen.canary as Awaited<ReturnType<typeof deployment>>;
    const stable = seen.stable as Awaited<ReturnType<typeof deployment>>;
    assert.equal(canary.version, next);
    assert.equal(canary.replicas, stable.replicas, "the new version is not at the stable size before the switch");
    assert.equal(canary.ready, canary.replicas, "the pre-promotion gates ran before the new version was ready");
    assert.deepEqual(seen.switched, weightsOf(100), "the switch did not move all traffic in one update");
    const during = seen.oldDuringBake as Awaited<ReturnType<typeof deployment>>;
    assert.equal(during.version, old, "the old version did not stay during the bake");
    assert.ok(during.replicas > 0, "the old version was scaled down before the bake ended");

    assert.deepEqual(await clusterWeights(), weightsOf(0), "after the finalize the stable track serves");
    const running = await runningVersions();
    assert.deepEqual(Object.keys(running), [next], `the old version still runs: ${JSON.stringify(running)}`);
    assert.equal((await status()).stableVersion, next);
  });

  it("a post-promotion gate failing in the bake switches back to the still-running old version in one targeted update", async () => {
    restore = useCanary({
      steps: [100],
      bake: "5m",
      interval: "1s",
      postPromotionAnalysis: [
        // Answered by the API server's service proxy with an error: no such Service in the namespace.
        { provider: "http", url: `http://no-such-service.${NAMESPACE}.svc.cluster.local/health` },
      ],
    });
    const old = (await status()).stableVersion;
    const next = nextPatch(old);
    const stableBefore = await deployment("api-gateway-stable");
    const r = await slipway("promote", "--stack", STACK, "--version", next);
    assert.equal(r.code, 3, `expected exit 3 (switched back), got ${r.code}:\n${r.stderr}`);
    assert.match(r.stderr, /post-promotion gates failed in the bake window/);
    assert.match(r.stderr, /rolling back: weight 0 \(targeted at 5 traffic objects\)/);
    assert.deepEqual(await clusterWeights(), weightsOf(0));
    const stableAfter = await deployment("api-gateway-stable");
    assert.equal(stableAfter.version, old);
    assert.equal(
      stableAfter.generation,
      stableBefore.generation,
      "the old version was touched: not an instant switch back",
    );
    assert.equal((await status()).stableVersion, old);

    const h = await slipway("history", "--stack", STACK, "--json");
    const entries = JSON.parse(h.stdout) as Array<{
      event: string;
      action: string;
      ok?: boolean;
      durationMs?: number;
      version?: string;
      promotionId: string;
      status?: string;
    }>;
    const start = entries.filter((e) => e.event === "start" && e.version === next).pop()!;
    const mine = entries.filter((e) => e.promotionId === start.promotionId);
    assert.ok(
      mine.some((e) => e.action === "bake" && e.event === "outcome" && e.ok === false),
      "no failed bake in the journal",
    );
    const back = mine.find((e) => e.action === "rollback" && e.event === "outcome" && e.ok === true);
    assert.ok(back, "no successful switch back in the journal");
    process.stderr.write(`      switch back in the bake window: ${back.durationMs} ms (journal)\n`);
    assert.equal(mine.at(-1)!.status, "rolled-back");
  });
});
