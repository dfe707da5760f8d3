// What `slipway status --watch` and `slipway wait` see of a promotion at one poll, as data: read from the journal
// (the promotion, its step, its gates' last verdicts), the lock and one list of the namespace's Deployments. Pure:
// the loop (watch.ts) does the reading, report/watch.ts the drawing.
import type { Deps, DeploymentState } from "../deps";
import { EXIT } from "../errors";
import type { GateSpec } from "../release/evidence";
import { lastPromotion, PromotionRecord } from "../state/progress";
import { JournalEntry, LockHolder, pidAlive } from "../state/store";

/**
 * RUNNING: a live driver holds the lock; INTERRUPTED: no end and its driver is gone; STARTING: a new one took the lock;
 * PAUSED: its last entry is a pause (it waits for someone, so a watch ends there).
 */
export type WatchState = "RUNNING" | "INTERRUPTED" | "STARTING" | "PAUSED" | "ENDED" | "NONE";

export interface TrackView {
  version?: string;
  ready: number;
  replicas: number;
}
export interface ServiceView {
  service: string;
  stable?: TrackView;
  canary?: TrackView;
}
export interface GateView {
  gate: string;
  ok: boolean;
  value?: number;
  threshold?: number;
  detail: string;
  at: string;
}

export interface WatchView {
  stack: string;
  state: WatchState;
  promotion?: PromotionRecord;
  /** The step under way (1-based) of all the promotion's steps, and its weight. */
  step?: { n: number; of: number; weight: number };
  /** When the next step is due (ISO 8601): the step's intent plus the interval, or its outcome; none after the last. */
  nextStepAt?: string;
  /** What the promotion did last: prepare, step, hook, bake, finalize, rollback... (its last journal entry's action). */
  phase?: string;
  intervalMs?: number;
  bakeMs?: number;
  /** Per released service, its tracks as the cluster shows them; undefined when the cluster was not read. */
  services?: ServiceView[];
  gates: GateView[];
  lock?: LockHolder;
}

export interface WatchInput {
  stack: string;
  entries: readonly JournalEntry[];
  lock?: LockHolder;
  /** Whether the lock's holder is a live `promote` driver (status.ts `holderAlive`). */
  alive: boolean;
  deployments?: DeploymentState[];
  /** From the stack's config: used when the journal's start entry does not carry them. */
  intervalMs: number;
  bakeMs: number;
  services: readonly string[];
}

/** The exit code of a promotion's outcome: what `wait` and `status --watch` end with. */
export const OUTCOME_CODE: Readonly<Record<string, number>> = {
  completed: EXIT.ok,
  "rolled-back": EXIT.rolledBack,
  held: EXIT.rolledBack,
  "recovered: rolled back": EXIT.rolledBack,
  failed: EXIT.error,
  paused: EXIT.paused,
};

/**
 * Whether a promotion without an end still runs: a live `promote` driver holds the lock (its pid alive on this host,
 * or a lock held from another host, which its store keeps only while fresh). `status`, `status --watch` and `wait`
 * all read RUNNING by this one rule, and INTERRUPTED only for a dead holder.
 */
export function holderAlive(d: Pick<Deps, "host">, lock: LockHolder | undefined, alive = pidAlive): boolean {
  if (lock === undefined || lock.command !== "promote") return false;
  return lock.host !== d.host.hostname || alive(lock.pid);
}

/** A pause in the journal: an entry of action "pause" or status "paused" (as a pause is journaled). */
function isPause(e: JournalEntry | undefined): boolean {
  return e !== undefined && ((e.action as string) === "pause" || (e.status as string) === "paused");
}

function stateOf(p: PromotionRecord | undefined, i: WatchInput, last: JournalEntry | undefined): WatchState {
  const newOne = i.alive && i.lock !== undefined && i.lock.promotionId !== p?.promotionId;
  if (p === undefined) return newOne ? "STARTING" : "NONE";
  if (newOne && (p.status !== undefined || isPause(last))) return "STARTING";
  if (isPause(last)) return "PAUSED";
  if (p.status !== undefined) return "ENDED";
  return i.alive ? "RUNNING" : "INTERRUPTED";
}

function stepOf(p: PromotionRecord, mine: JournalEntry[], intervalMs: number): Pick<WatchView, "step" | "nextStepAt"> {
  const steps = mine.filter((e) => e.action === "step" && e.step !== undefined && e.event !== "start");
  const last = steps[steps.length - 1];
  if (last === undefined) return {};
  const n = last.step! + 1;
  const step = { n, of: p.steps.length, weight: last.weight ?? 0 };
  if (n >= p.steps.length || p.status !== undefined) return { step };
  // Intent -> update -> interval -> gates -> outcome -> the next intent: the next step is due an interval after the
  // step's intent at the earliest, and right after its outcome.
  const at = Date.parse(last.at) + (last.event === "outcome" ? 0 : intervalMs);
  return Number.isFinite(at) ? { step, nextStepAt: new Date(at).toISOString() } : { step };
}

function threshold(gates: GateSpec[] | undefined, provider: string): number | undefined {
  const specs = (gates ?? []).filter((g) => g.provider === provider);
  return specs.length === 1 ? (specs[0].max ?? specs[0].status) : undefined;
}

/** The last verdict of each gate, from the step and bake outcomes, with its threshold from the journaled gate spec. */
export function lastVerdicts(mine: readonly JournalEntry[]): GateView[] {
  const gates = mine.find((e) => e.event === "start")?.evidence?.gates;
  const last = new Map<string, GateView>();
  for (const e of mine)
    for (const v of e.verdicts ?? [])
      last.set(v.provider, {
        gate: v.provider,
        ok: v.ok,
        value: v.value,
        threshold: threshold(gates, v.provider),
        detail: v.detail,
        at: e.at,
      });
  return [...last.values()];
}

function servicesOf(names: readonly string[], deployments: DeploymentState[] | undefined): ServiceView[] | undefined {
  if (deployments === undefined) return undefined;
  const byName = new Map(deployments.map((d) => [d.name, d]));
  const track = (name: string): TrackView | undefined => {
    const d = byName.get(name);
    return d && { version: d.version, ready: d.ready, replicas: d.replicas };
  };
  return names.map((s) => ({ service: s, stable: track(`${s}-stable`), canary: track(`${s}-canary`) }));
}

export function watchView(i: WatchInput): WatchView {
  const p = lastPromotion(i.entries);
  const mine = p ? i.entries.filter((e) => e.promotionId === p.promotionId) : [];
  const last = mine[mine.length - 1];
  const state = stateOf(p, i, last);
  const start = mine.find((e) => e.event === "start");
  const intervalMs = start?.intervalMs ?? i.intervalMs;
  return {
    stack: i.stack,
    state,
    promotion: p,
    ...(p ? stepOf(p, mine, intervalMs) : {}),
    phase: last && last.event !== "start" ? last.action : undefined,
    intervalMs,
    bakeMs: start?.bakeMs ?? i.bakeMs,
    services: servicesOf(p?.services ?? i.services, i.deployments),
    gates: lastVerdicts(mine),
    lock: i.lock,
  };
}

/** How a view ends a watch: its exit code once the promotion ended (or cannot end on its own), else undefined. */
export function endCode(v: WatchView): number | undefined {
  if (v.state === "PAUSED") return EXIT.paused;
  if (v.state === "ENDED") return OUTCOME_CODE[v.promotion!.status!] ?? EXIT.error;
  if (v.state === "INTERRUPTED" || v.state === "NONE") return EXIT.error;
  return undefined;
}

/** The default bound of a watch: the plan's total time (every step's interval, the bake) plus 10 minutes. */
export function defaultTimeoutMs(v: WatchView, steps: number): number {
  const n = v.promotion?.steps.length || steps;
  return n * (v.intervalMs ?? 0) + (v.bakeMs ?? 0) + 600_000;
}
