// Evaluates the prod stack under mocks 5 times in one process and prints the median wall time and the resource
// count. Figures only: targets live in the issue, not in assertions.
import { performance } from "perf_hooks";
import { runStack, stackFileConfig } from "../test/helpers/stack";

const RUNS = 5;

async function main(): Promise<void> {
  const config = {
    ...stackFileConfig("prod"),
    "slipway:canaryVersion": "1.1.0",
    "slipway:canaryWeight": "10",
  };
  const times: number[] = [];
  let resources = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const run = await runStack("prod", config);
    times.push(performance.now() - start);
    resources = run.mocks.resources.length;
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(RUNS / 2)];
  console.log(`program: prod stack under mocks, ${RUNS} evaluations in one process`);
  console.log(`  runs (ms):   ${times.map((t) => t.toFixed(0)).join(", ")} (the first includes loading the SDKs)`);
  console.log(`  median (ms): ${median.toFixed(0)}`);
  console.log(`  resources:   ${resources}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
