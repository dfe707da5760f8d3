// Gates as production runs them, from outside the cluster: the seeds' two Prometheus gates against a real Prometheus
// that only the API server's service proxy reaches, and a smoke-test Job gate run as a Job in the stack's namespace.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { ERROR_RATE_QUERY, P95_LATENCY_QUERY } from "../../automation/analysis";
import type { Verdict } from "../../automation/types";
import { kubectl, NAMESPACE, nextPatch, SERVICES, slipway, STACK, status, theWorld } from "./harness";
import { Monitoring, PROMETHEUS_URL, startMonitoring } from "./monitoring";
import { failJobPods, FailingJobs } from "./kwokStages";

const KUBERNETES = { provider: "kubernetes" };
const SEED_PROMETHEUS = [
  { provider: "prometheus", url: PROMETHEUS_URL, query: ERROR_RATE_QUERY, max: 0.01 },
  { provider: "prometheus", url: PROMETHEUS_URL, query: P95_LATENCY_QUERY, max: 0.1 },
];
/** Unique to this file, so the Stage that fails its Job pods touches nobody else's. */
const JOB_FAILS = "9.9.14-jobfail";

function stackFile(): string {
  return path.join(theWorld().workDir, "stacks", `Pulumi.${STACK}.yaml`);
}

/** Sets the work copy's gates; returns a function that puts the previous ones back. */
function useGates(analysis: unknown[]): () => void {
  const before = fs.readFileSync(stackFile(), "utf8");
  const doc = parseYaml(before);
  doc.config["slipway:canary"] = { ...doc.config["slipway:canary"], analysis };
  fs.writeFileSync(stackFile(), stringifyYaml(doc));
  return () => fs.writeFileSync(stackFile(), before);
}

interface Entry {
  event: string;
  action: string;
  step?: number;
  ok?: boolean;
  status?: string;
  version?: string;
  promotionId: string;
  verdicts?: Verdict[];
}
async function journalOf(version: string): Promise<Entry[]> {
  const h = await slipway("history", "--stack", STACK, "--json");
  const entries = JSON.parse(h.stdout) as Entry[];
  const start = entries.filter((e) => e.event === "start" && e.version === version).pop();
  assert.ok(start, `no journal start entry for ${version}`);
  return entries.filter((e) => e.promotionId === start.promotionId);
}

/** Promotes `version` and expects it rolled back at the first step, with `provider`'s failed verdict in the journal. */
async function expectRolledBackAtFirstStep(version: string, provider: string): Promise<Verdict> {
  const r = await slipway("promote", "--stack", STACK, "--version", version, "--interval", "1s");
  assert.equal(r.code, 3, `expected exit 3 (rolled back), got ${r.code}:\n${r.stderr}`);
  const mine = await journalOf(version);
  const steps = mine.filter((e) => e.action === "step" && e.event === "outcome");
  assert.deepEqual(
    steps.map((e) => [e.step, e.ok]),
    [[0, false]],
    "not rolled back at the first step",
  );
  assert.equal(mine[mine.length - 1].status, "rolled-back");
  const failed = steps[0].verdicts?.find((v) => v.provider === provider);
  assert.ok(failed, `no ${provider} verdict in the journal: ${JSON.stringify(steps[0].verdicts)}`);
  assert.equal(failed.ok, false);
  return failed;
}

const SMOKE = {
  provider: "job",
  name: "smoke-tests",
  image: "registry.local/slipway/smoke-tests:$version",
  args: ["--environment", "local", "--version", "$version"],
  timeout: "20s",
};

describe("the committed prod stack's kind of gates, from outside the cluster: a real Prometheus behind the API server and a Job", function () {
  let monitoring: Monitoring;
  let restore: () => void;
  let failing: FailingJobs | undefined;

  before(async function () {
    this.timeout(120_000);
    const t0 = Date.now();
    monitoring = await startMonitoring();
    restore = useGates([KUBERNETES, ...SEED_PROMETHEUS, SMOKE]);
    failing = await failJobPods("slipway.dev/checks-version", JOB_FAILS);
    process.stderr.write(
      `    e2e: Prometheus ${monitoring.podIp} behind the API server and the failing-Job Stage ready in ${Math.round((Date.now() - t0) / 1000)} s\n`,
    );
  });
  after(async function () {
    this.timeout(60_000);
    restore?.();
    await failing?.restore();
    await monitoring?.stop();
  });

  const serve = (version: string, errorShare: number, latencySeconds: number) =>
    monitoring.serve(SERVICES.map((service) => ({ service, version, errorShare, latencySeconds })));
  const jobsLeft = async () =>
    (await kubectl("-n", NAMESPACE, "get", "jobs", "-l", "slipway.dev/gate=smoke-tests", "-o", "name")).trim();

  it("passes a promotion whose canary answers healthily (0.2% 5xx, 20 ms) and whose smoke-test Job succeeds, leaving no Job", async () => {
    const version = nextPatch((await status()).stableVersion);
    serve(version, 0.002, 0.02);
    const r = await slipway("promote", "--stack", STACK, "--version", version, "--interval", "1s");
    assert.equal(r.code, 0, `promote exited ${r.code}:\n${r.stderr}`);
    const steps = (await journalOf(version)).filter((e) => e.action === "step" && e.event === "outcome");
    assert.deepEqual(
      steps.map((e) => e.ok),
      [true, true, true],
    );
    // The Service name resolves nowhere on this host: a value at all means the API server's proxy answered.
    const [errors, latency, job] = ["prometheus#1", "prometheus#2", "job"].map((p) =>
      steps[0].verdicts?.find((v) => v.provider === p),
    );
    assert.ok(errors?.ok && Math.abs((errors.value ?? 1) - 0.002) < 0.0005, `error rate: ${JSON.stringify(errors)}`);
    assert.ok(latency?.ok && (latency.value ?? 1) < 0.025, `p95: ${JSON.stringify(latency)}`);
    assert.ok(job?.ok && /the Job succeeded/.test(job.detail), `job: ${JSON.stringify(job)}`);
    assert.equal((await status()).stableVersion, version);
    assert.equal(await jobsLeft(), "");
  });

  it("rolls back at the first step with exit 3 when the canary answers 5% 5xx, the verdict naming query, value and threshold", async () => {
    const version = `${nextPatch((await status()).stableVersion)}-errors`;
    serve(version, 0.05, 0.02);
    const v = await expectRolledBackAtFirstStep(version, "prometheus#1");
    assert.ok(v.detail.startsWith(ERROR_RATE_QUERY.slice(0, 60)), v.detail);
    assert.match(v.detail, /api-gateway: 0\.0[45]\d* > max 0\.01/);
    assert.ok(Math.abs((v.value ?? 0) - 0.05) < 0.001, `value ${v.value}`);
  });

  it("rolls back at the first step with exit 3 when the canary's p95 is 250 ms", async () => {
    const version = `${nextPatch((await status()).stableVersion)}-slow`;
    serve(version, 0, 0.25);
    const v = await expectRolledBackAtFirstStep(version, "prometheus#2");
    assert.ok(v.detail.startsWith(P95_LATENCY_QUERY.slice(0, 60)), v.detail);
    assert.match(v.detail, /> max 0\.1/);
    assert.ok((v.value ?? 0) > 0.2 && (v.value ?? 0) <= 0.25, `p95 ${v.value}`);
  });

  it("rolls back at the first step with exit 3 when the smoke-test Job fails, leaving no Job", async () => {
    serve(JOB_FAILS, 0, 0.02);
    const v = await expectRolledBackAtFirstStep(JOB_FAILS, "job");
    assert.match(v.detail, /the Job failed \(BackoffLimitExceeded/);
    assert.equal(await jobsLeft(), "");
  });
});

/** kwok's pod-complete Stage, turned around: this version's Job pods end Failed with exit code 1. */
