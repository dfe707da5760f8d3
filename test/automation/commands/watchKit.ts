// A promotion that moves while it is watched: a fake clock whose every sleep plays the next move of a scripted driver
// (journal entries, the lock), and a fake cluster reader that counts its lists.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Clock, DeploymentReader, DeploymentState } from "../../../automation/deps";
import type { JournalEntry, LockHolder } from "../../../automation/state/store";
import { SERVICE_NAMES } from "../../../components/naming";
import { baseConfig, FakeEngine, harness, Harness } from "../fakes";

export const T0 = Date.parse("2026-11-22T08:00:00Z");
export const DEAD_PID = 2 ** 22 + 12345;

export interface World {
  h: Harness;
  clock: Clock & { slept: number[] };
  /** Every text the watch wrote to stdout while it ran (the blocks). */
  blocks: string[];
  /** How many times the cluster was listed. */
  lists: { n: number };
  /** The weight the fake cluster's canaries are sized for. */
  weight: { now: number };
  /** Appends a journal entry of promotion p9, stamped with the clock's time. */
  note(e: Partial<JournalEntry>): Promise<void>;
  lock(holder?: Partial<LockHolder>): void;
  unlock(): void;
}

/** Canary pods follow the weight (one per 50%), the stable track keeps two. */
function deployments(weight: number): DeploymentState[] {
  const canary = Math.ceil(weight / 50);
  return SERVICE_NAMES.flatMap((s) => [
    { name: `${s}-stable`, version: "1.0.0", ready: 2, replicas: 2 },
    { name: `${s}-canary`, version: "1.4.0", ready: canary, replicas: canary },
  ]);
}

/** `moves[i]` runs at the i-th sleep of the watch; the clock never really waits. */
export function world(moves: Array<(w: World) => Promise<void> | void>, opts: { tty?: boolean } = {}): World {
  let t = T0;
  const slept: number[] = [];
  const script = [...moves];
  const clock = {
    slept,
    now: () => t,
    sleep: async (ms: number) => {
      slept.push(ms);
      t += ms;
      await script.shift()?.(w);
    },
  };
  const blocks: string[] = [];
  const lists = { n: 0 };
  const weight = { now: 0 };
  const reader: DeploymentReader = async (ctx) => {
    lists.n += 1;
    return ctx.namespace === "" ? undefined : deployments(weight.now);
  };
  const h = harness(new FakeEngine({ local: baseConfig("local") }), {
    clock,
    deployments: reader,
    tty: opts.tty,
    stdout: (text) => blocks.push(text),
  });
  const state = h.deps.state("local");
  const lockFile = path.join(state.location, "lock");
  const w: World = {
    h,
    clock,
    blocks,
    lists,
    weight,
    note: (e) =>
      state.append({
        at: new Date(t).toISOString(),
        promotionId: "p9",
        stack: "local",
        event: "intent",
        action: "step",
        ...e,
      }),
    lock: (holder = {}) => {
      fs.mkdirSync(state.location, { recursive: true });
      const base = { pid: process.pid, host: os.hostname(), startedAt: new Date(T0).toISOString() };
      fs.writeFileSync(lockFile, JSON.stringify({ ...base, promotionId: "p9", command: "promote", ...holder }));
    },
    unlock: () => fs.rmSync(lockFile, { force: true }),
  };
  return w;
}

/** The start of promotion p9 of 1.4.0 in steps 10, 50, 100 with a step every 5m, judged by a prometheus gate. */
export async function started(w: World, lock: Partial<LockHolder> | undefined = {}): Promise<void> {
  await w.note({
    event: "start",
    action: "promote",
    version: "1.4.0",
    steps: [10, 50, 100],
    intervalMs: 300_000,
    bakeMs: 0,
    evidence: { gates: [{ provider: "prometheus", max: 0.05 }] },
  });
  if (lock !== undefined) w.lock(lock);
}

/** Step `n` (0-based) at `weight`: its intent, then (unless `open`) its outcome with the gate's verdict. */
export async function step(w: World, n: number, weight: number, open = false, value = 0.01): Promise<void> {
  w.weight.now = weight;
  await w.note({ event: "intent", action: "step", step: n, weight });
  if (open) return;
  const verdicts = [{ provider: "prometheus", ok: value <= 0.05, value, detail: "5xx ratio", durationMs: 40 }];
  await w.note({ event: "outcome", action: "step", step: n, weight, ok: value <= 0.05, verdicts });
}

/** The end entry of p9 with `status`; the driver lets go of the lock. */
export async function ended(w: World, status: string): Promise<void> {
  await w.note({ event: "end", action: "promote", status: status as JournalEntry["status"] });
  w.unlock();
}
