// `slipway up`: a full update of one stack with the policy pack, under the stack's lock, journaled.
import type { UpArgs } from "../cli/argv";
import { candidate } from "../release/values";
import { BreakGlass, checkFreeze } from "../release/freeze";
import { origin } from "../release/evidence";
import { journal } from "../release/canary";
import type { Deps, UpdateResult } from "../deps";

export async function up(d: Deps, a: UpArgs): Promise<UpdateResult & { breakGlass?: BreakGlass }> {
  const config = candidate(a.stack, await d.engine.getConfig(a.stack), {});
  const breakGlass = checkFreeze(a.stack, config.freeze, d.clock.now(), a.breakGlass ? { reason: a.reason } : undefined);
  if (breakGlass) d.progress(`${a.stack}: BREAK-GLASS: freeze "${breakGlass.window.name}" (until ${breakGlass.window.end}) overridden: ${breakGlass.reason}`);
  const state = d.state(a.stack);
  const id = d.newId();
  const started = d.clock.now();
  const release = await state.acquire(
    { pid: d.host.pid, host: d.host.hostname, startedAt: new Date(started).toISOString(), promotionId: id, command: "up" },
    (s) => d.progress(`${a.stack}: removed the stale lock of pid ${s.pid}`),
  );
  const note = journal(d, state, a.stack, id);
  try {
    await note({ event: "intent", action: "update", reason: breakGlass?.reason, evidence: { ...origin(d), breakGlass } });
    const result = await d.engine.up(a.stack, { signal: d.signal, message: "slipway up" });
    await note({ event: "outcome", action: "update", ok: true, durationMs: d.clock.now() - started });
    return { ...result, breakGlass };
  } catch (err) {
    await note({ event: "outcome", action: "update", ok: false, detail: err instanceof Error ? err.message.split("\n")[0] : String(err) });
    throw err;
  } finally {
    await release();
  }
}
