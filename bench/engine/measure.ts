// Timing for the engine bench: wall and child CPU time of each run, medians, and the one format of a duration.
import { spawnSync } from "child_process";
import * as fs from "fs";

/**
 * Every timed update starts this long after the one before it ended, as a promotion's interval and gates separate
 * its updates (the interval is 60 s by default, 1 s at the least in the e2e tier): the driver's spare program and
 * pack processes for the next update start when an update ends (engine/spare.ts).
 */
export const GAP_MS = 3000;
export const gap = () => new Promise((r) => setTimeout(r, GAP_MS));

export const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const fmt = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
export const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;

/**
 * CPU milliseconds of this process's ended children and what they waited for (Linux: cutime + cstime of
 * /proc/self/stat), i.e. the engine's CLI, language host, program, pack and provider of every update. On a machine
 * shared with other work the wall time of an update carries their load; its CPU time much less so.
 */
export function childCpu(): number {
  const fields = fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLK_TCK;
}

/** CPU time of each figure's runs, beside their wall times. */
export const cpuOf = new WeakMap<number[], number[]>();
export function record(xs: number[], t: number, cpu: number): void {
  xs.push(t);
  cpuOf.set(xs, [...(cpuOf.get(xs) ?? []), cpu]);
}

/** One timed run of f after the gap, its wall and CPU time recorded in xs. */
export async function timed(xs: number[], f: () => Promise<unknown>): Promise<void> {
  await gap();
  const t = process.hrtime.bigint();
  const c = childCpu();
  await f();
  record(xs, ms(t), childCpu() - c);
}
