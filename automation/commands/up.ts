// `slipway up`: a full update of one stack with the policy pack, under the stack's lock, journaled. The program reads
// the release from the stack's record, so the update applies what the last promotion shipped, from any runner.
import type { StackArgs } from "../cli/argv";
import type { Deps, UpdateResult } from "../deps";
import { withStackLock } from "../state/lock";

export async function up(d: Deps, a: StackArgs): Promise<UpdateResult> {
  const started = d.clock.now();
  return withStackLock(d, a.stack, "up", async (s) => {
    const note = s.note();
    await note({ event: "intent", action: "update", release: s.rel.current?.record.release });
    try {
      const result = await d.engine.up(a.stack, { signal: d.signal, message: "slipway up" });
      await note({ event: "outcome", action: "update", ok: true, durationMs: d.clock.now() - started });
      return result;
    } catch (err) {
      await note({ event: "outcome", action: "update", ok: false, detail: err instanceof Error ? err.message.split("\n")[0] : String(err) });
      throw err;
    }
  });
}
