// The release shapes besides the plain canary on the real engine and cluster: a blue-green promotion of the local
// stack (the new version at full size at 0%, one switch, the bake, the old version gone after it) with the seeds'
// migration as a preTraffic Job, a failing post-promotion gate in the bake window that switches back at once while
// the old version still runs, and a failing preTraffic Job that stops the release before any traffic moves.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { failJobPods } from "./kwokStages";
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

/**
 * Merges `canary` into the work copy's slipway:canary (and sets slipway:release when given); returns a function that
 * puts the file back.
 */
function useCanary(canary: Record<string, unknown>, release?: Record<string, unknown>): () => void {
  const before = fs.readFileSync(stackFile(), "utf8");
  const doc = parseYaml(before);
  doc.config["slipway:canary"] = { ...doc.config["slipway:canary"], ...canary };
  if (release !== undefined) doc.config["slipway:release"] = release;
  fs.writeFileSync(stackFile(), stringifyYaml(doc));
  return () => fs.writeFileSync(stackFile(), before);
}

/** The seeds' migration, as a preTraffic hook: the new version's image, run to its end as a Job. */
const MIGRATE = {
  name: "migrate",
  image: "registry.local/slipway/api-gateway:$version",
  command: ["python", "-m", "scripts.run_migrations"],
  args: ["--command", "upgrade"],
  timeout: "30s",
};
/** Unique to this file: the Stage that fails its hook pods touches nobody else's Jobs. */
const HOOK_FAILS = "9.9.16-hookfail";

interface Entry {
  event: string;
  action: string;
  ok?: boolean;
  durationMs?: number;
  version?: string;
  promotionId: string;
  status?: string;
  hook?: string;
  detail?: string;
}
async function journalOf(version: string): Promise<Entry[]> {
  const h = await slipway("history", "--stack", STACK, "--json");
  const entries = JSON.parse(h.stdout) as Entry[];
  const start = entries.filter((e) => e.event === "start" && e.version === version).pop();
  assert.ok(start, `no journal start entry for ${version}`);
  return entries.filter((e) => e.promotionId === start.promotionId);
}
const jobsLeft = async () =>
  (await kubectl("-n", NAMESPACE, "get", "jobs", "-l", "slipway.dev/hook=migrate", "-o", "name")).trim();

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

/** Changes the stack file for one test, as useCanary does, and has it put back after the test. */
type UseCanary = (canary: Record<string, unknown>, release?: Record<string, unknown>) => void;

describe("release shapes on the real cluster", () => {
  let restore: (() => void) | undefined;
  afterEach(() => restore?.());
  /** The stack file for one test; afterEach puts it back. */
  const use: UseCanary = (canary, release) => {
    restore = useCanary(canary, release);
  };

  it("blue-green: the new version at full size at 0%, one switch to 100%, the bake, then the old version is gone", () =>
    blueGreen(use));

  it("a post-promotion gate failing in the bake switches back to the still-running old version in one targeted update", () =>
    switchBackInTheBake(use));

  it("a preTraffic Job that fails stops the release before any traffic moves: exit 3, weight 0 throughout", () =>
    failingPreTrafficHook(use));

  it("slipway abort from another job during the bake: the running promotion switches back and the abort reports it", () =>
    abortDuringTheBake(use));
});

/** The blue-green journey of one version: its hook, the switch, the bake and the old version gone. */
async function blueGreen(use: UseCanary): Promise<void> {
  use({ strategy: "blueGreen", bake: "6s", interval: "1s" }, { hooks: { preTraffic: [MIGRATE] } });
  const old = (await status()).stableVersion;
  const next = nextPatch(old);
  const seen: Record<string, unknown> = {};
  const driver = new Slipway(["promote", "--stack", STACK, "--version", next]);
  await driver.waitFor(/pre-promotion gates against/);
  seen.atZero = await clusterWeights();
  seen.canary = await deployment("api-gateway-canary");
  seen.stable = await deployment("api-gateway-stable");
  await driver.waitFor(/bake [^:]+ at 100%: the previous version/);
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
  const hook = (await journalOf(next)).find((e) => e.action === "hook" && e.event === "outcome");
  assert.equal(hook?.ok, true, "the preTraffic migration Job did not run to success");
  assert.equal(await jobsLeft(), "", "the hook's Job was left behind");
}

/** A post-promotion gate that fails in the bake window, and the switch back it causes. */
async function switchBackInTheBake(use: UseCanary): Promise<void> {
  use({
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

  const mine = await journalOf(next);
  assert.ok(
    mine.some((e) => e.action === "bake" && e.event === "outcome" && e.ok === false),
    "no failed bake in the journal",
  );
  const back = mine.find((e) => e.action === "rollback" && e.event === "outcome" && e.ok === true);
  assert.ok(back, "no successful switch back in the journal");
  process.stderr.write(`      switch back in the bake window: ${back.durationMs} ms (journal)\n`);
  assert.equal(mine.at(-1)!.status, "rolled-back");
}

/** A preTraffic Job that fails, and the release it stops. */
async function failingPreTrafficHook(use: UseCanary): Promise<void> {
  use({ steps: [10, 100] }, { hooks: { preTraffic: [MIGRATE] } });
  const failing = await failJobPods("slipway.dev/release-version", HOOK_FAILS);
  try {
    const old = (await status()).stableVersion;
    const weights: Array<Record<string, number>> = [];
    const driver = new Slipway(["promote", "--stack", STACK, "--version", HOOK_FAILS]);
    await driver.waitFor(/preTraffic hook 1\/1 migrate/);
    weights.push(await clusterWeights());
    const r = await driver.done;
    assert.equal(r.code, 3, `expected exit 3, got ${r.code}:\n${r.stderr}`);
    assert.match(r.stderr, /preTraffic hook migrate failed/);
    weights.push(await clusterWeights());
    assert.deepEqual(weights, [weightsOf(0), weightsOf(0)], "traffic moved to a version whose migration failed");
    const mine = await journalOf(HOOK_FAILS);
    assert.ok(!mine.some((e) => e.action === "step"), "a traffic step ran after the failed hook");
    const hook = mine.find((e) => e.action === "hook" && e.event === "outcome");
    assert.equal(hook?.ok, false);
    assert.match(hook?.detail ?? "", /failed/);
    assert.equal(mine.at(-1)!.status, "rolled-back");
    assert.equal((await status()).stableVersion, old);
    assert.equal(await jobsLeft(), "", "the failed hook's Job was left behind");
  } finally {
    await failing.restore();
  }
}

/** An abort from another job while the promotion bakes. */
async function abortDuringTheBake(use: UseCanary): Promise<void> {
  use({ strategy: "blueGreen", bake: "10m", interval: "1s" });
  const old = (await status()).stableVersion;
  const next = nextPatch(old);
  const driver = new Slipway(["promote", "--stack", STACK, "--version", next]);
  await driver.waitFor(/bake [^:]+ at 100%: the previous version/);
  assert.deepEqual(await clusterWeights(), weightsOf(100));
  const t0 = Date.now();
  const abort = await slipway("abort", "--stack", STACK, "--reason", "latency report", "--json");
  const waited = Date.now() - t0;
  const r = await driver.done;
  assert.equal(abort.code, 0, abort.stderr);
  assert.equal(JSON.parse(abort.stdout).rolledBack, true);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /abort requested by .*: latency report/);
  assert.deepEqual(await clusterWeights(), weightsOf(0));
  assert.equal((await deployment("api-gateway-stable")).version, old);
  process.stderr.write(`      abort from another job to the promotion's end: ${waited} ms\n`);
}
