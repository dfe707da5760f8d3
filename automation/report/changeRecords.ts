// Change records from a stack's journal: one per promotion, skip-canary, rollback, abort, remediation and update,
// each with who started it and from where, who approved it (verified or not), the commit, what changed, policy
// results, every step with its weight, verdicts and timings, every hook run with its Job's outcome, and the outcome.
// Pure: journal entries in, records out.
import type { AnalysisProvider as GateSpec } from "../../stacks/config";
import type { Approval } from "../release/approval";
import type { Evidence, PreviewSummary } from "../release/evidence";
import type { BreakGlass } from "../release/freeze";
import type { Verification } from "../state/chain";
import type { JournalEntry } from "../state/store";

export type RecordKind = "promote" | "skip-canary" | "rollback" | "abort" | "remediate" | "update";
export interface VerdictRecord {
  gate: string;
  ok: boolean;
  value?: number;
  threshold?: number;
  detail: string;
  durationMs: number;
}
export interface StepRecord {
  step: number;
  weight: number;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  ok?: boolean;
  targeted?: boolean;
  verdicts: VerdictRecord[];
}
/** One run of a release hook (`slipway:release.hooks`) with its Job's outcome. */
export interface HookRecord {
  hook: string;
  phase?: string;
  irreversible: boolean;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  ok?: boolean;
  detail?: string;
}
export interface ChangeRecord {
  id: string;
  stack: string;
  kind: RecordKind;
  /** For a rollback: the promotion it rolled back. */
  relatedTo?: string;
  version?: string;
  previousVersion?: string;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  outcome: string;
  startedBy?: string;
  host?: string;
  run?: Evidence["run"];
  commit?: string;
  approval?: Approval;
  breakGlass?: BreakGlass;
  /** The reviewed plan the promotion applied (`promote --plan-digest`): its SHA-256 and its link. */
  plan?: Evidence["plan"];
  reason?: string;
  /** What changed: the first step's update, then the stable update, each resource with its properties before -> after. */
  changes: { label: string; summary: PreviewSummary }[];
  steps: StepRecord[];
  hooks: HookRecord[];
  updates: NonNullable<Evidence["updates"]>;
  detail?: string;
}
export interface Export {
  stack: string;
  since: string;
  until?: string;
  generatedAt: string;
  chain: Verification;
  records: ChangeRecord[];
}

const KIND_OF: Partial<Record<string, RecordKind>> = {
  promote: "promote",
  "skip-canary": "skip-canary",
  rollback: "rollback",
  abort: "abort",
  remediate: "remediate",
  update: "update",
};

function threshold(gates: GateSpec[] | undefined, provider: string): number | undefined {
  const specs = (gates ?? []).filter((g) => g.provider === provider);
  if (specs.length !== 1) return undefined;
  return specs[0].max ?? specs[0].status;
}

function stepsOf(entries: JournalEntry[], gates: GateSpec[] | undefined): StepRecord[] {
  const steps = new Map<number, StepRecord>();
  for (const e of entries.filter((x) => x.action === "step" && x.step !== undefined)) {
    const s = steps.get(e.step!) ?? { step: e.step!, weight: e.weight ?? 0, startedAt: e.at, verdicts: [] };
    if (e.event === "outcome") {
      Object.assign(s, { endedAt: e.at, durationMs: e.durationMs, ok: e.ok, targeted: e.targeted });
      s.verdicts = (e.verdicts ?? []).map((v) => ({
        gate: v.provider,
        ok: v.ok,
        value: v.value,
        threshold: threshold(gates, v.provider),
        detail: v.detail,
        durationMs: v.durationMs,
      }));
    }
    steps.set(e.step!, s);
  }
  return [...steps.values()].sort((a, b) => a.step - b.step);
}

function hooksOf(entries: JournalEntry[]): HookRecord[] {
  const runs: HookRecord[] = [];
  for (const e of entries.filter((x) => x.action === "hook" && x.hook !== undefined)) {
    if (e.event === "intent") {
      runs.push({ hook: e.hook!, phase: e.phase, irreversible: e.irreversible === true, startedAt: e.at });
      continue;
    }
    const run = runs.filter((r) => r.hook === e.hook && r.endedAt === undefined).at(-1);
    if (e.event === "outcome" && run)
      Object.assign(run, { endedAt: e.at, durationMs: e.durationMs, ok: e.ok, detail: e.detail });
  }
  return runs;
}

function outcomeOf(entries: JournalEntry[]): { outcome: string; endedAt?: string; detail?: string } {
  const end = entries.filter((e) => e.event === "end").at(-1);
  if (end) return { outcome: end.status ?? "ended", endedAt: end.at, detail: end.detail };
  const last = entries.filter((e) => e.event === "outcome").at(-1);
  if (last && entries[0].action !== "promote" && entries[0].action !== "skip-canary")
    return { outcome: last.ok ? "completed" : "failed", endedAt: last.at, detail: last.detail };
  return { outcome: "interrupted", endedAt: undefined };
}

function recordOf(entries: JournalEntry[]): ChangeRecord | undefined {
  const first = entries[0];
  const kind = KIND_OF[first.action];
  if (kind === undefined) return undefined;
  const ev: Evidence = Object.assign({}, ...entries.map((e) => e.evidence ?? {}));
  const start = first.evidence ?? {};
  const { outcome, endedAt, detail } = outcomeOf(entries);
  const changes = entries
    .filter((e) => e.evidence?.preview)
    .map((e) => ({
      label:
        e.action === "step"
          ? `step ${(e.step ?? 0) + 1} (weight ${e.weight}%)`
          : e.action === "rollback"
            ? `rollback to ${e.version}`
            : "stable update",
      summary: e.evidence!.preview!,
    }));
  return {
    id: first.promotionId,
    stack: first.stack,
    kind,
    version: first.version,
    previousVersion: first.stableVersion,
    startedAt: first.at,
    endedAt,
    durationMs: endedAt ? Date.parse(endedAt) - Date.parse(first.at) : undefined,
    outcome,
    detail,
    startedBy: start.startedBy,
    host: first.host,
    run: start.run,
    commit: start.commit,
    approval: start.approval,
    breakGlass: start.breakGlass,
    plan: start.plan,
    reason: first.reason,
    changes,
    steps: stepsOf(entries, start.gates),
    hooks: hooksOf(entries),
    updates: ev.updates ?? [],
  };
}

/** A rollback after failed gates, or an abort of a promotion it closed, is its own record, linked to the promotion. */
function followUp(
  parent: ChangeRecord,
  entries: JournalEntry[],
  action: "rollback" | "abort",
): ChangeRecord | undefined {
  if (parent.kind === action) return undefined;
  const intent = entries.find((e) => e.action === action && e.event === "intent");
  if (intent === undefined) return undefined;
  const done = entries.find(
    (e) => e.action === action && e.event !== "intent" && Date.parse(e.at) >= Date.parse(intent.at),
  );
  const ok = done?.ok ?? done?.status === "rolled-back";
  return {
    ...parent,
    id: `${parent.id}/${action}`,
    kind: action,
    relatedTo: parent.id,
    startedAt: intent.at,
    endedAt: done?.at,
    durationMs: done ? (done.durationMs ?? Date.parse(done.at) - Date.parse(intent.at)) : undefined,
    outcome: done === undefined ? "interrupted" : ok ? "rolled-back" : "failed",
    detail: intent.detail ?? intent.reason,
    reason: intent.reason,
    startedBy: intent.evidence?.startedBy ?? parent.startedBy,
    run: intent.evidence?.run ?? parent.run,
    approval: action === "abort" ? undefined : parent.approval,
    changes: [],
    steps: [],
    hooks: [],
    updates: [],
  };
}

/** Records whose change started in [since, until), oldest first. The genesis entry is part of the chain, not a change. */
export function changeRecords(entries: readonly JournalEntry[], since: number, until = Infinity): ChangeRecord[] {
  const groups = new Map<string, JournalEntry[]>();
  for (const e of entries) {
    if (e.event === "genesis") continue;
    groups.set(e.promotionId, [...(groups.get(e.promotionId) ?? []), e]);
  }
  const out: ChangeRecord[] = [];
  for (const group of groups.values()) {
    const r = recordOf(group);
    if (r === undefined) continue;
    const at = Date.parse(r.startedAt);
    if (at < since || at >= until) continue;
    out.push(r);
    for (const action of ["rollback", "abort"] as const) {
      const f = followUp(r, group, action);
      if (f) out.push(f);
    }
  }
  return out.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
}
