// Delivery figures of `slipway report`: deployment frequency, lead time for changes, change failure rate and time to
// restore, from the promotions a stack's (verified) journal records. Pure: journal entries and commit times in,
// figures out; ./deliveryRender.ts shows them.
import type { JournalEntry } from "../state/store";

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** How a promotion ended: "open" while it has no end entry (running, interrupted, or held and resumed later). */
export type PromotionEnd = "completed" | "rolled-back" | "held" | "open";

export interface PromotionRun {
  stack: string;
  id: string;
  kind: "promote" | "skip-canary";
  version?: string;
  startedAt: string;
  endedAt?: string;
  end: PromotionEnd;
  commit?: string;
  /** The commit's time (git), when the repository has the commit. */
  commitAt?: string;
}

export interface Figures {
  promotions: number;
  completed: number;
  rolledBack: number;
  held: number;
  /** Completed promotions per week and per day over the window. */
  perWeek: number;
  perDay: number;
  /** Commit (or, without it, promotion start) to stable, of completed promotions; undefined without any. */
  leadTime?: { medianMs: number; meanMs: number; samples: number; fromCommit: number; fromStart: number };
  /** (rollbacks + holds) / promotions; undefined without promotions. */
  changeFailureRate?: number;
  /** From a failed promotion's end to the next completed promotion of its stack. */
  timeToRestore?: { medianMs: number; meanMs: number; samples: number };
  /** Failed promotions no completed one followed yet. */
  unrestored: number;
}

export interface DeliveryReport {
  stacks: string[];
  since: string;
  until: string;
  generatedAt: string;
  overall: Figures;
  perStack: Record<string, Figures>;
  /** Completed promotions per week (weeks start on Monday, UTC), oldest first. */
  weeks: Array<{ start: string; completed: number; failed: number }>;
  promotions: PromotionRun[];
}

const FAILED: Record<string, PromotionEnd> = {
  "rolled-back": "rolled-back",
  failed: "rolled-back",
  "recovered: rolled back": "rolled-back",
  held: "held",
  completed: "completed",
};

/** The promotions (and skip-canary releases) a journal records, in start order. */
export function promotionsOf(stack: string, entries: readonly JournalEntry[]): PromotionRun[] {
  const runs = new Map<string, PromotionRun>();
  for (const e of entries) {
    if (e.event === "start" && (e.action === "promote" || e.action === "skip-canary")) {
      runs.set(e.promotionId, {
        stack,
        id: e.promotionId,
        kind: e.action,
        version: e.version,
        startedAt: e.at,
        end: "open",
        commit: e.evidence?.commit,
      });
      continue;
    }
    const run = runs.get(e.promotionId);
    const end = e.status === undefined ? undefined : FAILED[e.status];
    if (run === undefined || end === undefined || e.event !== "end") continue;
    // A held promotion resumed later ends again: its last end counts.
    run.end = end;
    run.endedAt = e.at;
  }
  return [...runs.values()];
}

function stats(values: number[]): { medianMs: number; meanMs: number; samples: number } | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return {
    medianMs: Math.round(median),
    meanMs: Math.round(values.reduce((a, b) => a + b, 0) / values.length),
    samples: values.length,
  };
}

/** Each failed promotion's time to the next completed one of the same stack; and how many none followed. */
function restores(runs: readonly PromotionRun[]): { times: number[]; unrestored: number } {
  const times: number[] = [];
  let unrestored = 0;
  for (const failed of runs.filter((r) => (r.end === "rolled-back" || r.end === "held") && r.endedAt)) {
    const at = Date.parse(failed.endedAt!);
    const next = runs
      .filter((r) => r.stack === failed.stack && r.end === "completed" && r.endedAt && Date.parse(r.endedAt) > at)
      .map((r) => Date.parse(r.endedAt!))
      .sort((a, b) => a - b)[0];
    if (next === undefined) unrestored += 1;
    else times.push(next - at);
  }
  return { times, unrestored };
}

/** The four figures over `runs` (already within the window) for a window of `spanMs`. */
export function figuresOf(runs: readonly PromotionRun[], spanMs: number, restoreRuns = runs): Figures {
  const completed = runs.filter((r) => r.end === "completed");
  const rolledBack = runs.filter((r) => r.end === "rolled-back").length;
  const held = runs.filter((r) => r.end === "held").length;
  const lead = completed
    .filter((r) => r.endedAt)
    .map((r) => ({ ms: Date.parse(r.endedAt!) - Date.parse(r.commitAt ?? r.startedAt), commit: !!r.commitAt }));
  const leadStats = stats(lead.map((l) => l.ms));
  const restored = restores(restoreRuns.filter((r) => runs.includes(r) || r.end === "completed"));
  const span = Math.max(spanMs, DAY_MS);
  return {
    promotions: runs.length,
    completed: completed.length,
    rolledBack,
    held,
    perWeek: round2((completed.length * WEEK_MS) / span),
    perDay: round2((completed.length * DAY_MS) / span),
    leadTime: leadStats && {
      ...leadStats,
      fromCommit: lead.filter((l) => l.commit).length,
      fromStart: lead.filter((l) => !l.commit).length,
    },
    changeFailureRate: runs.length ? round2((rolledBack + held) / runs.length) : undefined,
    timeToRestore: stats(restored.times),
    unrestored: restored.unrestored,
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Monday 00:00 UTC of the week holding `ms`. */
export function weekStart(ms: number): number {
  const day = Math.floor(ms / DAY_MS);
  // 1970-01-01 was a Thursday: day 0 is weekday 3 counting from Monday.
  return (day - ((day + 3) % 7)) * DAY_MS;
}

function weeksOf(runs: readonly PromotionRun[], sinceMs: number, untilMs: number): DeliveryReport["weeks"] {
  const weeks: DeliveryReport["weeks"] = [];
  // Bounded: one bucket per week of the window, at most ten years of them.
  for (let w = weekStart(sinceMs), n = 0; w < untilMs && n < 520; w += WEEK_MS, n++) {
    const inWeek = runs.filter((r) => r.endedAt && weekStart(Date.parse(r.endedAt)) === w);
    weeks.push({
      start: new Date(w).toISOString().slice(0, 10),
      completed: inWeek.filter((r) => r.end === "completed").length,
      failed: inWeek.filter((r) => r.end === "rolled-back" || r.end === "held").length,
    });
  }
  return weeks;
}

export interface DeliveryInput {
  /** Every promotion of each stack, whole history (a restore may come after the window). */
  runs: PromotionRun[];
  stacks: string[];
  sinceMs?: number;
  untilMs: number;
  generatedAt: string;
}

/** The report over promotions started in [since, until); since defaults to the first promotion's start. */
export function deliveryReport(x: DeliveryInput): DeliveryReport {
  const first = Math.min(...x.runs.map((r) => Date.parse(r.startedAt)), x.untilMs);
  const sinceMs = x.sinceMs ?? first;
  const inWindow = (r: PromotionRun) => Date.parse(r.startedAt) >= sinceMs && Date.parse(r.startedAt) < x.untilMs;
  const runs = x.runs.filter(inWindow);
  const span = x.untilMs - sinceMs;
  const perStack = Object.fromEntries(
    x.stacks.map((s) => [
      s,
      figuresOf(
        runs.filter((r) => r.stack === s),
        span,
        x.runs.filter((r) => r.stack === s),
      ),
    ]),
  );
  return {
    stacks: x.stacks,
    since: new Date(sinceMs).toISOString(),
    until: new Date(x.untilMs).toISOString(),
    generatedAt: x.generatedAt,
    overall: figuresOf(runs, span, x.runs),
    perStack,
    weeks: weeksOf(runs, sinceMs, x.untilMs),
    promotions: runs,
  };
}

/** A duration for people: "3 d 4 h", "2 h 5 min", "40 s". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 120) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
