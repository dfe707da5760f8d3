// What a journal entry tells people: each entry the driver writes maps to at most one notification event (a step that
// passed its gates, a gate that failed, a rollback, a hold, a pause for a person, an abort, a completed promotion, a
// drift found), with the version, the stack, the failed gate and its value, and the run. Stateful per driver run only
// to remember each promotion's version, run and gate thresholds from its start entry.
import type { NotifyEvent } from "../../stacks/config";
import type { JournalEntry } from "../state/store";

export interface Notice {
  event: NotifyEvent;
  stack: string;
  /** What happened, in one line. */
  summary: string;
  version?: string;
  promotionId: string;
  at: string;
  /** The first failed gate: its name, value and threshold where known, and what it said. */
  gate?: { name: string; value?: number; threshold?: number; detail: string };
  runUrl?: string;
  /** Resources a drift check found. */
  resources?: string[];
}

interface Known {
  version?: string;
  runUrl?: string;
  thresholds: Record<string, number | undefined>;
}

const END_EVENTS: Record<string, NotifyEvent | undefined> = {
  completed: "completed",
  "rolled-back": "rolled-back",
  failed: "rolled-back",
  "recovered: rolled back": "rolled-back",
  held: "held",
  paused: "paused",
};

/** Turns journal entries into notices; one instance per driver run. */
export class NoticeMapper {
  private readonly known = new Map<string, Known>();

  constructor(private readonly runUrl?: string) {}

  notice(e: JournalEntry): Notice | undefined {
    if (e.event === "start") this.remember(e);
    const k = this.known.get(e.promotionId) ?? { thresholds: {} };
    const base = {
      stack: e.stack,
      promotionId: e.promotionId,
      at: e.at,
      version: e.version ?? k.version,
      runUrl: e.evidence?.run?.url ?? k.runUrl ?? this.runUrl,
    };
    const v = base.version ? ` ${base.version}` : "";
    if ((e.action === "step" || e.action === "bake") && e.event === "outcome" && e.ok !== undefined) {
      const at = `${e.action === "bake" ? "bake" : `step ${(e.step ?? 0) + 1}`} at ${e.weight ?? 100}%`;
      if (e.ok) return { ...base, event: "step-passed", summary: `${e.stack}:${v} ${at} passed its gates` };
      const failed = (e.verdicts ?? []).find((x) => !x.ok);
      const gate = failed && {
        name: failed.provider,
        value: failed.value,
        threshold: k.thresholds[failed.provider],
        detail: failed.detail,
      };
      return { ...base, event: "gate-failed", gate, summary: `${e.stack}:${v} ${at} failed gate ${gate?.name ?? "?"}` };
    }
    if (e.event === "end" && e.action === "abort")
      return { ...base, event: "aborted", summary: `${e.stack}:${v} aborted${e.reason ? `: ${e.reason}` : ""}` };
    if (e.event === "end" && e.status !== undefined && END_EVENTS[e.status] !== undefined) {
      const event = END_EVENTS[e.status]!;
      const why = e.detail ? `: ${e.detail}` : "";
      return { ...base, event, summary: `${e.stack}:${v} ${event === "completed" ? "promoted" : event}${why}` };
    }
    if (e.action === "drift" && e.status === "drifted") {
      const resources = (e.drift?.resources ?? []).map(
        (r) => `${r.type} ${r.name}${r.protected ? " (protected)" : ""}`,
      );
      return {
        ...base,
        event: "drift-detected",
        resources,
        summary: `${e.stack}: drift on ${resources.length} resource(s)`,
      };
    }
    return undefined;
  }

  private remember(e: JournalEntry): void {
    const thresholds: Record<string, number | undefined> = {};
    for (const g of e.evidence?.gates ?? []) thresholds[g.provider] ??= g.max ?? g.status;
    this.known.set(e.promotionId, { version: e.version, runUrl: e.evidence?.run?.url, thresholds });
  }
}
