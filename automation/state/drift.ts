// Drift with a memory: every drift check is a journal entry (action "drift", status drifted or clean, what drifted,
// when, from which run). The journal has one writer at a time, the lock holder, so a check takes the lock briefly to
// append; when a promotion or update holds it, the check is reported but not journaled (the next check records the
// drift again). The history read back gives first seen, last seen and for how long.
import type { Deps } from "../deps";
import { origin } from "../release/evidence";
import type { DriftFinding, JournalEntry } from "./store";

export { driftHistory } from "./driftHistory";
export type { DriftHistory } from "./driftHistory";
import { appendEntry } from "./journal";

/**
 * Appends the check under the stack's lock (taken and released at once). Resolves to whether it was journaled: false
 * when another command holds the lock (said on stderr), so a drift check never waits on a promotion.
 */
export async function journalDriftCheck(d: Deps, stack: string, finding: DriftFinding): Promise<boolean> {
  const state = d.state(stack);
  const id = d.newId();
  const entry: JournalEntry = {
    at: new Date(d.clock.now()).toISOString(),
    promotionId: id,
    stack,
    event: "outcome",
    action: "drift",
    status: finding.resources.length > 0 ? "drifted" : "clean",
    ok: finding.resources.length === 0,
    detail: finding.resources.map((r) => r.name).join(", ") || undefined,
    drift: finding,
    evidence: origin(d),
  };
  let release: () => Promise<void>;
  try {
    release = await state.acquire(
      {
        pid: d.host.pid,
        host: d.host.hostname,
        startedAt: new Date(d.clock.now()).toISOString(),
        promotionId: id,
        command: "drift",
      },
      (stale) =>
        d.progress(`${stack}: removed the stale lock of pid ${stale.pid} (${stale.command} ${stale.promotionId})`),
    );
  } catch (err) {
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    d.progress(`${stack}: drift check not journaled (${why}); the next check records it`);
    await d.notify?.(entry).catch(() => undefined);
    return false;
  }
  try {
    await appendEntry(state, entry, d);
    return true;
  } finally {
    await release();
  }
}
