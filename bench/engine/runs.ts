// The timed runs of the engine bench: the engines under test, one weight step as the driver runs it, the weight
// steps (targeted and full, alternated) and the fixed costs of an update (no-op, preview, drift, CLI start).
import { spawnSync } from "child_process";
import type { Engine } from "../../automation/deps";
import { createEngine } from "../../automation/engine/engine";
import { clusterWeights } from "../../automation/engine/weights";
import { releaseTargets, stepValues, weightMismatches } from "../../automation/release/values";
import type { StackSession } from "../../automation/state/lock";
import { releaseAfter } from "../../automation/state/release";
import { patchWeights } from "./cluster";
import { childCpu, fmt, gap, log, ms, record, timed } from "./measure";
import { benchSession, CANARY, NAMESPACE, RUNS, services, STACK } from "./setup";

export interface Bench {
  env: Record<string, string>;
  work: string;
  /** The engine as the driver creates it: spares, start-up caches. */
  engine: Engine;
  /** The same without the compile and transpile caches. */
  uncached: Engine;
  /** The baseline of the spares: the engine starts the program and the pack on every update, as before them. */
  unspared: Engine;
  /** The bench keeps no release record: every update is handed its release, as the driver hands a step its own. */
  session: StackSession;
  /** The floor's runs (kubectl patch), measured alternately with every engine figure. */
  patch: number[];
}

export async function openBench(env: Record<string, string>, work: string): Promise<Bench> {
  const engine = await createEngine({ workDir: work, env, engineRoot: env.SLIPWAY_ENGINE_ROOT, progress: () => {} });
  const { NODE_COMPILE_CACHE: _cache, SLIPWAY_TRANSPILE_CACHE: _transpiled, ...withoutCache } = env;
  const uncached = await createEngine({
    workDir: work,
    env: withoutCache,
    engineRoot: env.SLIPWAY_ENGINE_ROOT,
    progress: () => {},
  });
  const unspared = await createEngine({
    workDir: work,
    env,
    engineRoot: env.SLIPWAY_ENGINE_ROOT,
    progress: () => {},
    spares: false,
  });
  const session = await benchSession(engine);
  return { env, work, engine, uncached, unspared, session, patch: [] };
}

/** The weight each service's traffic object carries in the cluster. */
export async function applied(b: Bench): Promise<Record<string, number>> {
  return (
    (await clusterWeights(
      { namespace: NAMESPACE, router: "smi", services, kubeconfigPath: b.env.KUBECONFIG },
      new AbortController().signal,
    )) ?? {}
  );
}

/** One weight step as the driver runs it, minus interval and gates: update, outputs, applied weight. */
export async function step(b: Bench, weight: number, targeted: boolean, outputs: Record<string, unknown>) {
  await gap();
  const t0 = process.hrtime.bigint();
  const c0 = childCpu();
  const r = await b.engine.up(STACK, {
    release: releaseAfter(b.session.rel, stepValues(CANARY, weight, services)),
    targets: targeted ? releaseTargets(outputs) : undefined,
    message: `bench weight ${weight}`,
  });
  const after = r.outputs ?? (await b.engine.outputs(STACK));
  const wrong = weightMismatches(after, services, weight);
  const cluster = await applied(b);
  if (wrong.length > 0 || services.some((s) => cluster[s] !== weight))
    throw new Error(`weight ${weight} not applied (${wrong.join(", ")})`);
  return { t: ms(t0), cpu: childCpu() - c0, outputs: after };
}

/** The floor: the same traffic change by kubectl, then back to what the stack holds (no drift left behind). */
export async function floor(b: Bench, weight: number, holds: number): Promise<void> {
  await timed(b.patch, () => patchWeights(b.env, weight));
  await patchWeights(b.env, holds);
}

/** The stack up from a fresh start, the canary cleared. */
export async function baselineUp(b: Bench): Promise<void> {
  const t0 = process.hrtime.bigint();
  await b.engine.up(STACK, {
    release: releaseAfter(b.session.rel, {
      "slipway:canaryVersion": "",
      "slipway:canaryWeight": "0",
      "slipway:rolledBackVersion": "",
    }),
    message: "bench: baseline",
  });
  log(`stack up (baseline, canary cleared): ${fmt(ms(t0))}`);
}

export interface WeightSteps {
  targeted: number[];
  full: number[];
  /** The stack's outputs after the last step. */
  outputs: Record<string, unknown>;
}

/** The canary's first step (a full update), then per run a targeted step and a full step, each with the floor. */
export async function weightSteps(b: Bench): Promise<WeightSteps> {
  const first = await step(b, 10, false, await b.engine.outputs(STACK));
  log(`first step (new canary image, full update): ${fmt(first.t)}`);
  let outputs = first.outputs;
  const targeted: number[] = [];
  const full: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const w = 20 + 10 * r;
    let s = await step(b, w, true, outputs);
    record(targeted, s.t, s.cpu);
    await floor(b, w + 5, w);
    s = await step(b, w + 5, false, s.outputs);
    record(full, s.t, s.cpu);
    outputs = s.outputs;
    await floor(b, w, w + 5);
    log(`targeted step to ${w}%: ${fmt(targeted[r])}; full step to ${w + 5}%: ${fmt(full[r])}`);
  }
  return { targeted, full, outputs };
}

/** The weight the stack holds after the weight steps (the last full step's). */
export const HELD = 25 + 10 * (RUNS - 1);

export interface FixedCosts {
  noops: number[];
  unsparedNoops: number[];
  bare: number[];
  cold: number[];
  previews: number[];
  unsparedPreviews: number[];
  drifts: number[];
  cliStart: number[];
  /** Resources the last drift detection found drifted. */
  drifted: number;
}

/**
 * Fixed costs, alternated: a no-op update as the driver runs it, the same without spares, the same without the
 * policy pack (the CLI alone), the same with the pack but without the compile and transpile caches, a preview (with
 * and without spares), drift detection, and a bare CLI start.
 */
export async function fixedCosts(b: Bench): Promise<FixedCosts> {
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
    await timed(noops, () => b.engine.up(STACK, { message: "bench: no-op" }));
    await timed(unsparedNoops, () => b.unspared.up(STACK, { message: "bench: no-op, no spares" }));
    await timed(bare, async () => {
      const cli = spawnSync("pulumi", ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK], {
        cwd: b.work,
        env: b.env,
        encoding: "utf8",
      });
      if (cli.status !== 0) throw new Error(`pulumi up without the pack failed: ${cli.stderr}`);
    });
    await timed(cold, () => b.uncached.up(STACK, { message: "bench: no-op, no start-up caches" }));
    await timed(previews, () => b.engine.preview(STACK));
    await timed(unsparedPreviews, () => b.unspared.preview(STACK));
    await timed(drifts, async () => (drifted = (await b.engine.previewRefresh(STACK)).drifted.length));
    await timed(cliStart, async () =>
      spawnSync("pulumi", ["stack", "output", "--json", "--stack", STACK], { cwd: b.work, env: b.env }),
    );
    await floor(b, HELD + 5, HELD);
    log(
      `no-op ${fmt(noops[r])}, without spares ${fmt(unsparedNoops[r])}, without the pack ${fmt(bare[r])}, without the caches ${fmt(cold[r])}, preview ${fmt(previews[r])} (without spares ${fmt(unsparedPreviews[r])}), drift ${fmt(drifts[r])}, CLI ${fmt(cliStart[r])}`,
    );
  }
  return { noops, unsparedNoops, bare, cold, previews, unsparedPreviews, drifts, cliStart, drifted };
}
