// The driver's own overhead per canary step: a full promotion (10 -> 30 -> 100, then stable) against the fake engine
// with zero interval and an instant gate, journal on a temporary file backend. Prints the median per step.
import { promote } from "../automation/commands/promote";
import { baseConfig, FakeEngine, harness } from "../test/automation/fakes";

const RUNS = 15;

async function once(): Promise<number> {
  const h = harness(new FakeEngine({ local: baseConfig("local") }));
  const started = process.hrtime.bigint();
  const r = await promote(h.deps, {
    stack: "local",
    version: "1.4.0",
    skipCanary: false,
    breakGlass: false,
    dryRun: false,
    resume: false,
    json: false,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return ms / (r.steps.length + 1);
}

async function main(): Promise<void> {
  await once();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await once());
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  process.stdout.write(
    `driver overhead per canary step: median ${median.toFixed(2)} ms over ${RUNS} promotions (min ${samples[0].toFixed(2)}, max ${samples[samples.length - 1].toFixed(2)}; target <= 50 ms)\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
