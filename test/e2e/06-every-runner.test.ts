// "Every job a new runner": each slipway command runs in a fresh copy of the repository, as a CI runner checks it out,
// sharing only the backend (a file directory, then an S3 bucket on the project's S3-compatible test server) and the
// cluster. Two stages play dev and staging on the local cluster (local-dev, local-staging, a namespace each).
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BUCKET, s3TestServer } from "../automation/state/s3server";
import { keepPodsUnready } from "./kwokStages";
import {
  clusterWeights,
  deleteNamespace,
  deployment,
  NAMESPACE,
  nextPatch,
  poll,
  removeCopy,
  Run,
  runnerCopy,
  SERVICES,
  Slipway,
  slipwayIn,
  stackFiles,
  Stages,
  World,
} from "./harness";

interface Backend {
  tag: string;
  url(): Promise<string>;
}
const BACKENDS: Backend[] = [
  { tag: "file", url: async () => `file://${fs.mkdtempSync(path.join(os.tmpdir(), "slipway-e2e-backend-"))}` },
  {
    tag: "s3",
    // The engine's own S3 client takes the SDK v2 option names; the driver's journal and record read both.
    url: async () =>
      `s3://${BUCKET}/e2e-${process.pid}-${Date.now()}?region=us-east-1&endpoint=${(await s3TestServer()).endpoint}&use_path_style=true`,
  },
];
const X = "2.0.1";
const DEV = "local-dev";
const STAGING = "local-staging";

function ok(r: Run, what: string): Run {
  assert.equal(r.code, 0, `${what} exited ${r.code}:\n${r.stderr}`);
  return r;
}

/** What every test of one backend shares: the stages' namespaces, the backend, and a new runner per job. */
interface Runners {
  stages: Stages;
  /** The backend's URL, known once the suite's before hook ran. */
  url(): string;
  /** A new runner's checkout for one job. */
  job(): World;
  /** One slipway command on a new runner; its checkout's stack files must be as it found them. */
  on(...args: string[]): Promise<Run>;
  /** The stack's entry of `slipway status --json`, read on a new runner. */
  status(stack: string): Promise<StackStatus>;
}

/** What these tests read of a stack's `slipway status --json` entry. */
interface StackStatus {
  stableVersion?: string;
  canaryVersion?: string;
  canaryWeight?: number;
  lastPromotion: { status: string };
  record: { seq: number };
}

for (const b of BACKENDS) {
  describe(`every job a new runner (${b.tag} backend)`, function () {
    this.timeout(10 * 60_000);
    const stages: Stages = { [DEV]: `${NAMESPACE}-${b.tag}-dev`, [STAGING]: `${NAMESPACE}-${b.tag}-stg` };
    let url = "";
    const copies: World[] = [];
    /** A new runner's checkout for one job. */
    const job = (): World => {
      const w = runnerCopy(url, stages);
      copies.push(w);
      return w;
    };
    /** One slipway command on a new runner; its checkout's stack files must be as it found them. */
    const on = async (...args: string[]): Promise<Run> => {
      const w = job();
      const files = stackFiles(w);
      const r = await slipwayIn(w, ...args);
      assert.deepEqual(stackFiles(w), files, `slipway ${args.join(" ")} wrote a stack file`);
      return r;
    };
    const status = async (stack: string): Promise<StackStatus> =>
      JSON.parse(ok(await on("status", "--stack", stack, "--json"), "status").stdout)[0];

    before(async function () {
      url = await b.url();
      await Promise.all(Object.values(stages).map((ns) => deleteNamespace(ns)));
    });
    after(async function () {
      copies.forEach(removeCopy);
      if (url.startsWith("file://") && !process.env.SLIPWAY_E2E_KEEP)
        fs.rmSync(url.slice("file://".length), { recursive: true, force: true });
      if (!process.env.SLIPWAY_E2E_KEEP)
        await Promise.all(Object.values(stages).map((ns) => deleteNamespace(ns).catch(() => undefined)));
    });
    const r: Runners = { stages, url: () => url, job, on, status };

    releaseAcrossCheckouts(r);
    concurrentPromotions(r);

    if (b.tag !== "file") return;

    stoppedBeforeRecordWrite(r);
    killedWhileCreating(r);
  });
}

/** Both stages deployed and a version promoted through them, every command from its own checkout. */
function releaseAcrossCheckouts({ stages, job, on, status }: Runners): void {
  it("deploys both stages from nothing, each from its own checkout", async () => {
    // Two jobs at once, as two runners would: different stacks, so neither waits for the other's lock.
    const [dev, staging] = await Promise.all([on("up", "--stack", DEV), on("up", "--stack", STAGING)]);
    ok(dev, `up ${DEV}`);
    ok(staging, `up ${STAGING}`);
    const all = JSON.parse(ok(await on("status", "--json"), "status").stdout) as Array<{
      stack: string;
      state: string;
    }>;
    const state = Object.fromEntries(all.map((s) => [s.stack, s.state]));
    assert.deepEqual(
      [state[DEV], state[STAGING], state.dev, state.prod],
      ["deployed", "deployed", "not deployed", "not deployed"],
    );
  });

  it(`copy 1 promotes ${X} to 100% on ${DEV}`, async () => {
    ok(await on("promote", "--stack", DEV, "--version", X, "--interval", "1s"), "promote");
    assert.equal((await deployment("api-gateway-stable", stages[DEV])).version, X);
  });

  it(`copy 2 sees ${X}: status reports it, preview shows no change, drift exits 0, up changes nothing, a plain pulumi preview agrees`, async () => {
    const s = await status(DEV);
    assert.equal(s.stableVersion, X);
    assert.equal(s.canaryVersion, undefined);
    assert.equal(s.lastPromotion.status, "completed");
    const preview = JSON.parse(ok(await on("preview", "--stack", DEV, "--json"), "preview").stdout);
    assert.deepEqual(preview[0].changes, [], "preview wants changes");
    ok(await on("drift", "--stack", DEV), "drift");
    const w = job();
    const plain = spawnSync("pulumi", ["preview", "--stack", DEV, "--expect-no-changes", "--non-interactive"], {
      cwd: w.workDir,
      env: w.env,
      encoding: "utf8",
      timeout: 300_000,
    });
    assert.equal(
      plain.status,
      0,
      `a plain pulumi preview in a fresh checkout wants changes:\n${plain.stdout}\n${plain.stderr}`,
    );
    const before = await deployment("api-gateway-stable", stages[DEV]);
    const up = JSON.parse(ok(await on("up", "--stack", DEV, "--json"), "up").stdout);
    assert.deepEqual(up.changes, [], "up changed something");
    assert.equal((await deployment("api-gateway-stable", stages[DEV])).generation, before.generation);
  });

  it(`the second stage accepts ${X} after the first stage promoted it from another copy`, async () => {
    ok(await on("promote", "--stack", STAGING, "--version", X, "--interval", "1s"), `promote ${STAGING}`);
    assert.equal((await status(STAGING)).stableVersion, X);
    assert.equal((await deployment("api-gateway-stable", stages[STAGING])).version, X);
  });
}

/** A promotion from a third checkout, then two drivers racing for one stage. */
function concurrentPromotions({ on, status }: Runners): void {
  it(`copy 3 promotes ${nextPatch(X)} from stable ${X}`, async () => {
    ok(await on("promote", "--stack", DEV, "--version", nextPatch(X), "--interval", "1s"), "promote");
    assert.equal((await status(DEV)).stableVersion, nextPatch(X));
  });

  it("of two drivers promoting one stage at once, exactly one wins; the loser exits 5 and changes nothing", async () => {
    const before = await status(STAGING);
    const [one, two] = await Promise.all(
      [0, 1].map(() => on("promote", "--stack", STAGING, "--version", nextPatch(X), "--interval", "1s")),
    );
    const codes = [one.code, two.code].sort();
    assert.deepEqual(codes, [0, 5], `exit codes ${one.code}, ${two.code}:\n${one.stderr}\n${two.stderr}`);
    const loser = one.code === 5 ? one : two;
    assert.match(loser.stderr, /locked by promote/);
    const after = await status(STAGING);
    assert.equal(after.stableVersion, nextPatch(X));
    const history = JSON.parse(
      ok(await on("history", "--stack", STAGING, "--json", "--limit", "200"), "history").stdout,
    ) as Array<{ event: string; version?: string }>;
    assert.equal(
      history.filter((e) => e.event === "start" && e.version === nextPatch(X)).length,
      1,
      "the loser journaled a promotion",
    );
    // Its record versions: the winner's step and finalize only.
    assert.equal(after.record.seq, before.record.seq + 2);
  });
}

/** A runner frozen between its update and its record write, then killed: the next command reconciles. */
function stoppedBeforeRecordWrite({ stages, url, job, on, status }: Runners): void {
  it("a driver stopped after its update reached the backend, before its record write: the next command reconciles, and says so", async () => {
    const version = nextPatch(nextPatch(X));
    const w = job();
    const driver = new Slipway(
      ["promote", "--stack", DEV, "--version", version, "--steps", "50,100", "--interval", "1s"],
      undefined,
      w,
    );
    await driver.waitFor(/step 2\/2 weight 100%: (targeted|full) update/);
    // Once its `pulumi up` holds the stack, the driver is frozen: it cannot write the record, while the update runs
    // to the end. Then the runner dies.
    const locks = path.join(url().slice("file://".length), ".pulumi", "locks");
    const deadline = Date.now() + 60_000;
    while (listLocks(locks) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    driver.child.kill("SIGSTOP");
    try {
      await poll(
        "the update to end",
        async () => listLocks(locks),
        (n) => n === 0,
        120_000,
      );
    } finally {
      // Whatever the poll saw, the runner dies: a stopped driver left behind would hold the stack's lock.
      driver.child.kill("SIGKILL");
      await driver.done;
    }
    assert.deepEqual(await clusterWeights(stages[DEV]), Object.fromEntries(SERVICES.map((s) => [s, 100])));
    assert.equal(
      (await status(DEV)).canaryWeight,
      50,
      "the record should still hold step 1: the driver never wrote step 2",
    );

    const next = ok(
      await on("promote", "--stack", DEV, "--version", nextPatch(version), "--interval", "1s"),
      "the next promote",
    );
    assert.match(
      next.stderr,
      /reconciled: the interrupted step \(step 2, weight 100%\) of \w+ had applied before the driver stopped; the release record \(version \d+\) now records it/,
    );
    assert.match(next.stderr, /recovered: rolled back the interrupted canary/);
    const s = await status(DEV);
    assert.equal(s.stableVersion, nextPatch(version));
    assert.deepEqual(await clusterWeights(stages[DEV]), Object.fromEntries(SERVICES.map((x) => [x, 0])));
  });
}

/** A runner killed mid-create: the next promotion settles what the killed update left pending. */
function killedWhileCreating({ stages, job, on, status }: Runners): void {
  it("a runner killed while step 1 creates the canary Deployments: the next promotion completes", async () => {
    const stable = (await status(DEV)).stableVersion as string;
    const version = nextPatch(stable);
    const w = job();
    // The canary pods of this version never become ready, so its Deployment creates are still in flight (awaited)
    // when the runner dies, however fast the cluster is.
    const ready = await keepPodsUnready(version);
    try {
      const driver = new Slipway(["promote", "--stack", DEV, "--version", version, "--interval", "1s"], undefined, w, {
        detached: true,
      });
      await driver.waitFor(/create kubernetes:apps\/v1:Deployment \S+-canary/);
      await new Promise((r) => setTimeout(r, 500));
      driver.killAll();
      await driver.done;
    } finally {
      await ready();
    }

    const next = ok(
      await on("promote", "--stack", DEV, "--version", nextPatch(version), "--interval", "1s"),
      "the promotion after the kill",
    );
    assert.match(
      next.stderr,
      /the killed update left \d+ pending creates: deleted the \d+ objects it had created \(Deployment \S+-canary/,
    );
    assert.doesNotMatch(next.stderr, /conflict/i);
    assert.equal((await status(DEV)).stableVersion, nextPatch(version));
    for (const svc of SERVICES)
      assert.equal((await deployment(`${svc}-stable`, stages[DEV])).version, nextPatch(version));
  });
}

/** Pulumi's own lock files under a file backend's locks directory. */
function listLocks(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".json")).length;
}
