// Rollback: a gate has just failed; the driver's own rollback (weight 0 on the traffic objects, then the canary
// Deployments scale to zero), timed until the cluster's traffic objects all carry weight 0 and until both updates
// have ended. Alternated per run: a canary rollback at 65% (a full step brings the canary back there first) and a
// switch back in the bake window: the new version at 100% at full size, the old one still at full size on the
// stable track, a failed post-promotion verdict.
import type { Deps } from "../../automation/deps";
import { rollback } from "../../automation/release/canary";
import { rollbackPlan } from "../../automation/release/plan";
import { childCpu, fmt, gap, log, ms, record } from "./measure";
import { applied, type Bench, floor, step } from "./runs";
import { CANARY, RUNS, services } from "./setup";

export interface Rollbacks {
  /** Until every traffic object carries weight 0. */
  toZero: number[];
  /** Until both updates of the rollback have ended (canary at zero replicas). */
  complete: number[];
  /** Switch back in the bake window, until the old version carries 100%. */
  switchBack: number[];
}

/** The step to weight, then the driver's rollback from there: when weight 0 is applied, when the rollback ended. */
async function rollBack(b: Bench, weight: number, last: { outputs: Record<string, unknown> }) {
  last.outputs = (await step(b, weight, false, last.outputs)).outputs;
  const d = { engine: b.engine, progress: () => {} } as unknown as Deps;
  await gap(); // the gate that fails runs in the step's interval
  const start = process.hrtime.bigint();
  const c0 = childCpu();
  let ended = false;
  const plan = rollbackPlan(b.session.rel, last.outputs, { version: CANARY, services });
  const update = rollback(d, b.session, async () => {}, plan, "bench: failed verdict").finally(() => (ended = true));
  let zero: number | undefined;
  while (zero === undefined) {
    const finalRead = ended;
    const w = await applied(b);
    if (services.every((x) => w[x] === 0)) zero = ms(start);
    else if (finalRead) throw new Error(`rollback ended with weights ${JSON.stringify(w)}`);
    // A read every 50 ms: reading back to back would take CPU from the update it measures, on 2 cores.
    else await new Promise((r) => setTimeout(r, 50));
  }
  await update;
  return { zero, complete: ms(start), cpu: childCpu() - c0 };
}

/** Per run a canary rollback at 65% and a switch back from 100%, starting from the weight steps' last outputs. */
export async function rollbacks(b: Bench, outputs: Record<string, unknown>): Promise<Rollbacks> {
  const last = { outputs };
  const toZero: number[] = [];
  const complete: number[] = [];
  const switchBack: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const c = await rollBack(b, 65, last);
    toZero.push(c.zero);
    record(complete, c.complete, c.cpu);
    await floor(b, 65, 0);
    const s = await rollBack(b, 100, last);
    switchBack.push(s.zero);
    log(
      `rollback: weight 0 in the cluster after ${fmt(c.zero)}, complete after ${fmt(c.complete)}; switch back in the bake window: old version at 100% after ${fmt(s.zero)}`,
    );
  }
  return { toZero, complete, switchBack };
}
