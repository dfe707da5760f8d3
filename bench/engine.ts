// The real engine on the local kwok cluster: what a canary weight step costs through Pulumi, against the physical
// floor (kubectl patch of the same traffic objects) and against a plain update of the same run (a no-op, program and
// pack started by the engine); the rollbacks (of a canary, in the bake window, of a finished release, the last against
// kubectl set image of the same Deployments). Prints figures and whether each target is met; asserts nothing.
//
// Isolated from `npm run local` and the e2e tests: its own cache root ${SLIPWAY_CACHE:-~/.cache/slipway}/bench
// (builds, engine and the plugin cache linked from the parent, so nothing rebuilds), hence its own kwok cluster,
// kubeconfig and file backend, and a temporary copy of the project as the work dir (removed at the end). The bench
// cluster is kept between runs (`SLIPWAY_CACHE=<that dir> npm run cluster:down` removes it); the stack starts afresh
// each run. SLIPWAY_BENCH_NAMESPACE (default slipway-bench) gives the stack a namespace and a file backend of its
// own, so engineers sharing the machine bench side by side on that cluster. The parts are in engine/.
import * as fs from "fs";
import * as os from "os";
import { clusterUp } from "./engine/cluster";
import { report } from "./engine/figures";
import { finishedRollbacks } from "./engine/finished";
import { rollbacks } from "./engine/rollback";
import { baselineUp, fixedCosts, openBench, weightSteps } from "./engine/runs";
import { isolatedEnv, RUNS, services, workCopy } from "./engine/setup";

async function main(): Promise<void> {
  const env = isolatedEnv();
  await clusterUp(env);
  const work = workCopy();
  try {
    const b = await openBench(env, work);
    await baselineUp(b);
    const steps = await weightSteps(b);
    const costs = await fixedCosts(b);
    const back = await rollbacks(b, steps.outputs);
    const finished = await finishedRollbacks(b);
    const load = os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" ");
    const out = report(
      { ...steps, ...costs, ...back, finished, patch: b.patch },
      { services: services.length, runs: RUNS, load, cores: os.cpus().length },
    );
    process.stdout.write(`${out.join("\n")}\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench:engine: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
