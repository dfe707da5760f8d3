// The real engine on the local kwok cluster: what a canary weight step costs through Pulumi, against the physical
// floor (kubectl patch of the same traffic objects). Prints figures; asserts nothing.
//
// Isolated from `npm run local` and the e2e tests: its own cache root ${SLIPWAY_CACHE:-~/.cache/slipway}/bench
// (builds, engine and the plugin cache linked from the parent, so nothing rebuilds), hence its own kwok cluster,
// kubeconfig and file backend, and a temporary copy of the project as the work dir (removed at the end). The bench
// cluster is kept between runs (`SLIPWAY_CACHE=<that dir> npm run cluster:down` removes it); the stack starts afresh
// each run. SLIPWAY_BENCH_NAMESPACE (default slipway-bench) gives the stack a namespace and a file backend of its
// own, so engineers sharing the machine bench side by side on that cluster.
import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { rollback } from "../automation/release/canary";
import { rollbackPlan } from "../automation/release/plan";
import type { Deps, Engine } from "../automation/deps";
import type { StackSession } from "../automation/state/lock";
import { readRelease, releaseAfter } from "../automation/state/release";
import type { StackState } from "../automation/state/store";
import { createEngine } from "../automation/engine/engine";
import { releaseTargets, stepValues, weightMismatches } from "../automation/release/values";
import { clusterWeights } from "../automation/engine/weights";
import { SERVICE_NAMES } from "../contract/release";
import { crdSpec, ROUTER_CRDS } from "../components/routerCrds";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { engineEnv } from "../tools/env";

const REPO = path.resolve(__dirname, "..");
const STACK = "local";
const NAMESPACE = process.env.SLIPWAY_BENCH_NAMESPACE || "slipway-bench";
const CANARY = "1.0.1-bench";
const RUNS = 5;
/**
 * Every timed update starts this long after the one before it ended, as a promotion's interval and gates separate
 * its updates (the interval is 60 s by default, 1 s at the least in the e2e tier): the driver's spare program and
 * pack processes for the next update start when an update ends (engine/spare.ts).
 */
const GAP_MS = 3000;
const gap = () => new Promise((r) => setTimeout(r, GAP_MS));
const services = [...SERVICE_NAMES];

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;

/**
 * CPU milliseconds of this process's ended children and what they waited for (Linux: cutime + cstime of
 * /proc/self/stat), i.e. the engine's CLI, language host, program, pack and provider of every update. On a machine
 * shared with other work the wall time of an update carries their load; its CPU time much less so.
 */
function childCpu(): number {
  const fields = fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLK_TCK;
}

/** CPU time of each figure's runs, beside their wall times. */
const cpuOf = new WeakMap<number[], number[]>();
function record(xs: number[], t: number, cpu: number): void {
  xs.push(t);
  cpuOf.set(xs, [...(cpuOf.get(xs) ?? []), cpu]);
}

function isolatedEnv(): Record<string, string> {
  const parent = path.resolve(process.env.SLIPWAY_CACHE || path.join(os.homedir(), ".cache", "slipway"));
  const root = path.join(parent, "bench");
  const state = path.join(root, "state", NAMESPACE);
  fs.mkdirSync(state, { recursive: true });
  for (const shared of ["builds", "engine", "pulumi-home"]) {
    const link = path.join(root, shared);
    if (!fs.existsSync(link)) fs.symlinkSync(path.join(parent, shared), link);
  }
  const env: Record<string, string> = { ...(process.env as Record<string, string>), SLIPWAY_CACHE: root };
  delete env.PULUMI_BACKEND_URL;
  delete env.KUBECONFIG;
  return { ...env, ...engineEnv(env), PULUMI_BACKEND_URL: `file://${state}` };
}

function workCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-bench-"));
  for (const entry of [
    "Pulumi.yaml",
    "package.json",
    "tsconfig.json",
    "stacks",
    "components",
    "contract",
    "policies",
    "automation",
  ]) {
    fs.cpSync(path.join(REPO, entry), path.join(dir, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
  {
    // The router CRD is cluster-wide and outlives the bench's stack (ensureRouterCrd creates it when absent).
    const file = path.join(dir, "stacks", `Pulumi.${STACK}.yaml`);
    const doc = parseYaml(fs.readFileSync(file, "utf8"));
    doc.config["slipway:namespace"] = NAMESPACE;
    doc.config["slipway:installRouterCrds"] = "false";
    fs.writeFileSync(file, stringifyYaml(doc));
  }
  return dir;
}

/** The TrafficSplit CRD, created when no stack of the bench cluster installed it yet. */
async function ensureRouterCrd(env: Record<string, string>): Promise<void> {
  const c = ROUTER_CRDS.smi;
  const name = `${c.plural}.${c.group}`;
  if (spawnSync("kubectl", ["--kubeconfig", env.KUBECONFIG, "get", "crd", name], { env }).status === 0) return;
  const manifest = { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name } };
  const created = spawnSync("kubectl", ["--kubeconfig", env.KUBECONFIG, "create", "-f", "-"], {
    env,
    input: JSON.stringify({ ...manifest, spec: crdSpec(c) }),
    encoding: "utf8",
  });
  if (created.status !== 0) throw new Error(`kubectl create crd ${name}: ${created.stderr}`);
  spawnSync(
    "kubectl",
    ["--kubeconfig", env.KUBECONFIG, "wait", "--for=condition=Established", "--timeout=60s", `crd/${name}`],
    { env },
  );
}

/** A session over the stack file's release that records nothing (the bench times updates, not the backend). */
async function benchSession(engine: Engine): Promise<StackSession> {
  const none = async () => undefined;
  const state = { readRelease: none } as unknown as StackState;
  const s: StackSession = {
    stack: STACK,
    state,
    id: "bench",
    rel: await readRelease(engine, state, STACK),
    note: () => none,
    commit: none,
  };
  return s;
}

function kubectl(env: Record<string, string>, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile("kubectl", ["--kubeconfig", env.KUBECONFIG, "-n", NAMESPACE, ...args], { env }, (err, out, stderr) =>
      err ? reject(new Error(`kubectl ${args.join(" ")}: ${stderr || err.message}`)) : resolve(out),
    ),
  );
}

/** The floor: the same traffic change (every released service's TrafficSplit backends and annotation) by kubectl. */
function patchWeights(env: Record<string, string>, weight: number): Promise<unknown> {
  return Promise.all(
    services.map((s) =>
      kubectl(env, [
        "patch",
        "trafficsplits.split.smi-spec.io",
        s,
        "--type",
        "merge",
        "-p",
        JSON.stringify({
          metadata: { annotations: { "slipway.dev/canary-weight": String(weight) } },
          spec: {
            backends: [
              { service: `${s}-stable`, weight: 100 - weight },
              { service: `${s}-canary`, weight },
            ],
          },
        }),
      ]),
    ),
  );
}

/**
 * Every run starts from nothing: an earlier run killed mid-update leaves objects in the cluster its state never
 * recorded, which the next create of them refuses (a Server-Side Apply conflict). The namespace and its state go.
 */
function freshStart(env: Record<string, string>): void {
  spawnSync(
    "kubectl",
    [
      "--kubeconfig",
      env.KUBECONFIG,
      "delete",
      "namespace",
      NAMESPACE,
      "--ignore-not-found",
      "--wait",
      "--timeout=180s",
    ],
    { env, stdio: ["ignore", process.stderr, process.stderr] },
  );
  const state = new URL(env.PULUMI_BACKEND_URL).pathname;
  fs.rmSync(state, { recursive: true, force: true });
  fs.mkdirSync(state, { recursive: true });
}

async function main(): Promise<void> {
  const env = isolatedEnv();
  log(`cache ${env.SLIPWAY_CACHE}: cluster up`);
  if (!fs.existsSync(env.KUBECONFIG)) {
    // No cluster (cluster:down removes its kubeconfig): a kept stack state would describe objects a new cluster lacks.
    const state = path.join(env.SLIPWAY_CACHE, "state");
    fs.rmSync(state, { recursive: true, force: true });
    fs.mkdirSync(state, { recursive: true });
  }
  const up = spawnSync("bash", [path.join(REPO, "tools", "cluster.sh"), "up"], {
    env,
    stdio: ["ignore", process.stderr, process.stderr],
  });
  if (up.status !== 0) throw new Error("tools/cluster.sh up failed");
  await ensureRouterCrd(env);
  freshStart(env);
  const work = workCopy();
  try {
    const engine = await createEngine({ workDir: work, env, engineRoot: env.SLIPWAY_ENGINE_ROOT, progress: () => {} });
    const { NODE_COMPILE_CACHE: _cache, SLIPWAY_TRANSPILE_CACHE: _transpiled, ...withoutCache } = env;
    const uncached = await createEngine({
      workDir: work,
      env: withoutCache,
      engineRoot: env.SLIPWAY_ENGINE_ROOT,
      progress: () => {},
    });
    // The baseline of the spares: the engine starts the program and the pack on every update, as before them.
    const unspared = await createEngine({
      workDir: work,
      env,
      engineRoot: env.SLIPWAY_ENGINE_ROOT,
      progress: () => {},
      spares: false,
    });
    const applied = async (): Promise<Record<string, number>> =>
      (await clusterWeights(
        { namespace: NAMESPACE, router: "smi", services, kubeconfigPath: env.KUBECONFIG },
        new AbortController().signal,
      )) ?? {};
    // The bench keeps no release record: every update is handed its release, as the driver hands a step its own.
    const session = await benchSession(engine);
    /** One weight step as the driver runs it, minus interval and gates: update, outputs, applied weight. */
    const step = async (weight: number, targeted: boolean, outputs: Record<string, unknown>) => {
      await gap();
      const t0 = process.hrtime.bigint();
      const c0 = childCpu();
      const r = await engine.up(STACK, {
        release: releaseAfter(session.rel, stepValues(CANARY, weight, services)),
        targets: targeted ? releaseTargets(outputs) : undefined,
        message: `bench weight ${weight}`,
      });
      const after = r.outputs ?? (await engine.outputs(STACK));
      const wrong = weightMismatches(after, services, weight);
      const cluster = await applied();
      if (wrong.length > 0 || services.some((s) => cluster[s] !== weight))
        throw new Error(`weight ${weight} not applied (${wrong.join(", ")})`);
      return { t: ms(t0), cpu: childCpu() - c0, outputs: after };
    };

    let t0 = process.hrtime.bigint();
    await engine.up(STACK, {
      release: releaseAfter(session.rel, {
        "slipway:canaryVersion": "",
        "slipway:canaryWeight": "0",
        "slipway:rolledBackVersion": "",
      }),
      message: "bench: baseline",
    });
    log(`stack up (baseline, canary cleared): ${fmt(ms(t0))}`);
    const timed = async (xs: number[], f: () => Promise<unknown>) => {
      await gap();
      const t = process.hrtime.bigint();
      const c = childCpu();
      await f();
      record(xs, ms(t), childCpu() - c);
    };
    // The floor, measured alternately with every engine figure: the same traffic change by kubectl, then back to what
    // the stack holds (no drift left behind).
    const patch: number[] = [];
    const floor = async (weight: number, holds: number) => {
      await timed(patch, () => patchWeights(env, weight));
      await patchWeights(env, holds);
    };

    const first = await step(10, false, await engine.outputs(STACK));
    log(`first step (new canary image, full update): ${fmt(first.t)}`);
    let outputs = first.outputs;
    const targeted: number[] = [];
    const full: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const w = 20 + 10 * r;
      let s = await step(w, true, outputs);
      record(targeted, s.t, s.cpu);
      await floor(w + 5, w);
      s = await step(w + 5, false, s.outputs);
      record(full, s.t, s.cpu);
      outputs = s.outputs;
      await floor(w, w + 5);
      log(`targeted step to ${w}%: ${fmt(targeted[r])}; full step to ${w + 5}%: ${fmt(full[r])}`);
    }
    const held = 25 + 10 * (RUNS - 1);

    // Fixed costs, alternated: a no-op update as the driver runs it, the same without the policy pack (the CLI alone),
    // the same with the pack but without the compile and transpile caches, a preview, drift detection, and a bare CLI start.
    const [noops, unsparedNoops, bare, cold, previews, unsparedPreviews, drifts, cliStart] = [
      [],
      [],
      [],
      [],
      [],
      [],
      [],
      [],
    ] as number[][];
    let drifted = 0;
    for (let r = 0; r < RUNS; r++) {
      await timed(noops, () => engine.up(STACK, { message: "bench: no-op" }));
      await timed(unsparedNoops, () => unspared.up(STACK, { message: "bench: no-op, no spares" }));
      await timed(bare, async () => {
        const cli = spawnSync("pulumi", ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK], {
          cwd: work,
          env,
          encoding: "utf8",
        });
        if (cli.status !== 0) throw new Error(`pulumi up without the pack failed: ${cli.stderr}`);
      });
      await timed(cold, () => uncached.up(STACK, { message: "bench: no-op, no start-up caches" }));
      await timed(previews, () => engine.preview(STACK));
      await timed(unsparedPreviews, () => unspared.preview(STACK));
      await timed(drifts, async () => (drifted = (await engine.previewRefresh(STACK)).drifted.length));
      await timed(cliStart, async () =>
        spawnSync("pulumi", ["stack", "output", "--json", "--stack", STACK], { cwd: work, env }),
      );
      await floor(held + 5, held);
      log(
        `no-op ${fmt(noops[r])}, without spares ${fmt(unsparedNoops[r])}, without the pack ${fmt(bare[r])}, without the caches ${fmt(cold[r])}, preview ${fmt(previews[r])} (without spares ${fmt(unsparedPreviews[r])}), drift ${fmt(drifts[r])}, CLI ${fmt(cliStart[r])}`,
      );
    }

    // Rollback: a gate has just failed; the driver's own rollback (weight 0 on the traffic objects, then the canary
    // Deployments scale to zero), timed until the cluster's traffic objects all carry weight 0 and until both updates
    // have ended. Alternated per run: a canary rollback at 65% (a full step brings the canary back there first) and a
    // switch back in the bake window: the new version at 100% at full size, the old one still at full size on the
    // stable track, a failed post-promotion verdict.
    const d = { engine, progress: () => {} } as unknown as Deps;
    const rollBack = async (weight: number) => {
      outputs = (await step(weight, false, outputs)).outputs;
      await gap(); // the gate that fails runs in the step's interval
      const start = process.hrtime.bigint();
      const c0 = childCpu();
      let ended = false;
      const plan = rollbackPlan(session.rel, outputs, { version: CANARY, services });
      const update = rollback(d, session, async () => {}, plan, "bench: failed verdict").finally(() => (ended = true));
      let zero: number | undefined;
      while (zero === undefined) {
        const finalRead = ended;
        const w = await applied();
        if (services.every((x) => w[x] === 0)) zero = ms(start);
        else if (finalRead) throw new Error(`rollback ended with weights ${JSON.stringify(w)}`);
        // A read every 50 ms: reading back to back would take CPU from the update it measures, on 2 cores.
        else await new Promise((r) => setTimeout(r, 50));
      }
      await update;
      return { zero, complete: ms(start), cpu: childCpu() - c0 };
    };
    const toZero: number[] = [];
    const complete: number[] = [];
    const switchBack: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const c = await rollBack(65);
      toZero.push(c.zero);
      record(complete, c.complete, c.cpu);
      await floor(65, 0);
      const b = await rollBack(100);
      switchBack.push(b.zero);
      log(
        `rollback: weight 0 in the cluster after ${fmt(c.zero)}, complete after ${fmt(c.complete)}; switch back in the bake window: old version at 100% after ${fmt(b.zero)}`,
      );
    }

    const m = (xs: number[]) => median(xs);
    const p = m(patch);
    const cpu = (xs: number[]) => m(cpuOf.get(xs) ?? [NaN]);
    const row = (name: string, xs: number[], target?: number) =>
      `  ${name.padEnd(44)} ${fmt(m(xs)).padStart(8)}  ${(m(xs) / p).toFixed(1).padStart(5)}x kubectl` +
      `  cpu ${cpuOf.has(xs) ? fmt(cpu(xs)).padStart(8) : "       -"}` +
      `${target === undefined ? "" : `  target <= ${fmt(target)}: ${m(xs) <= target ? "met" : "NOT met"}`}  [${xs.map(fmt).join(", ")}]`;
    const part = (name: string, wall: number, c: number, how: string) =>
      `    ${name.padEnd(54)} ${fmt(wall).padStart(8)} / ${fmt(c).padStart(8)}${how ? `  (${how})` : ""}`;
    const load = os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" ");
    const out = [
      `engine bench: local stack (${services.length} services), kwok cluster, policy pack on every update; median of ${RUNS}, load average ${load} (${os.cpus().length} cores)`,
      row("weight step, targeted update", targeted, 2500),
      row("weight step, full update", full),
      row("rollback -> weight 0 in the cluster", toZero, 2500),
      row("rollback complete (canary at zero replicas)", complete),
      row("switch back in the bake window -> old version at 100%", switchBack),
      row("no-op update", noops),
      row("no-op update, program and pack started by the engine", unsparedNoops),
      row("no-op update without the policy pack", bare),
      row("no-op update without the compile and transpile caches", cold),
      row("preview", previews, 2500),
      row("preview, program and pack started by the engine", unsparedPreviews),
      row(`drift detection (previewRefresh, ${drifted} drifted)`, drifts),
      row("kubectl patch (floor)", patch),
      `  ratios: targeted/full ${(m(targeted) / m(full)).toFixed(2)}, spares on/off: no-op ${(m(noops) / m(unsparedNoops)).toFixed(2)}, ` +
        `preview ${(m(previews) / m(unsparedPreviews)).toFixed(2)}, no-op with/without the pack ${(m(noops) / m(bare)).toFixed(2)}, ` +
        `start-up caches on/off ${(m(noops) / m(cold)).toFixed(2)}, rollback to weight 0/targeted step ${(m(toZero) / m(targeted)).toFixed(2)}, ` +
        `switch back/rollback complete ${(m(switchBack) / m(complete)).toFixed(2)} (target <= 0.50: ${m(switchBack) / m(complete) <= 0.5 ? "met" : "NOT met"})`,
      `  CPU ratios: targeted/full ${(cpu(targeted) / cpu(full)).toFixed(2)}, spares on/off (no-op) ${(cpu(noops) / cpu(unsparedNoops)).toFixed(2)}, no-op with/without the pack ${(cpu(noops) / cpu(bare)).toFixed(2)}, ` +
        `start-up caches on/off ${(cpu(noops) / cpu(cold)).toFixed(2)}, rollback complete/targeted step ${(cpu(complete) / cpu(targeted)).toFixed(2)}`,
      "  where a targeted step's time goes (medians of this run, wall / CPU):",
      part("CLI start and state read (pulumi stack output)", m(cliStart), cpu(cliStart), ""),
      part(
        "program evaluation, pack calls, provider start, step generation",
        m(noops) - m(cliStart),
        cpu(noops) - cpu(cliStart),
        "no-op - CLI; the program and the pack started before the update",
      ),
      part(
        "provider updates and awaits of the step",
        m(targeted) - m(noops),
        cpu(targeted) - cpu(noops),
        "targeted step - no-op",
      ),
      "  what the spares take off the critical path (program and pack started by the engine, no spares):",
      part(
        "program start and evaluation, provider start, step generation",
        m(bare) - m(cliStart),
        cpu(bare) - cpu(cliStart),
        "no-op without the pack - CLI",
      ),
      part(
        "policy pack start and its calls",
        m(unsparedNoops) - m(bare),
        cpu(unsparedNoops) - cpu(bare),
        "no-op without spares - without the pack",
      ),
      part(
        "saved by the spares per update",
        m(unsparedNoops) - m(noops),
        cpu(unsparedNoops) - cpu(noops),
        "no-op without - with spares",
      ),
    ];
    process.stdout.write(`${out.join("\n")}\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench:engine: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
