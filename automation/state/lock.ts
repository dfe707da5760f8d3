// `withStackLock`: the one way a command changes a stack (promote, up, abort, drift --remediate). Under the stack's
// lock it opens the release record (creating it on first use), reconciles it with an update a killed driver applied
// without recording it, and hands the command a session whose every record write is conditional on the last one.
import type { Deps } from "../deps";
import { journal } from "./journal";
import { reconcile } from "./reconcile";
import { commitRelease, openRelease, StackRelease, Writer } from "./release";
import type { StackSession } from "./session";
import type { StackState } from "./store";

export type { StackSession } from "./session";

function session(d: Deps, stack: string, state: StackState, id: string, rel: StackRelease, w: Writer): StackSession {
  const s: StackSession = {
    stack,
    state,
    id,
    rel,
    note: (promotionId = id) => journal(d, state, stack, promotionId),
    commit: async (release) => {
      s.rel = await commitRelease(state, s.rel, release, w);
    },
  };
  return s;
}

export async function withStackLock<T>(
  d: Deps,
  stack: string,
  command: string,
  run: (s: StackSession) => Promise<T>,
): Promise<T> {
  const state = d.state(stack);
  const id = d.newId();
  const release = await state.acquire(
    {
      pid: d.host.pid,
      host: d.host.hostname,
      startedAt: new Date(d.clock.now()).toISOString(),
      promotionId: id,
      command,
    },
    (stale) =>
      d.progress(`${stack}: removed the stale lock of pid ${stale.pid} (${stale.command} ${stale.promotionId})`),
  );
  try {
    const w: Writer = { id, command, now: () => d.clock.now(), progress: d.progress };
    const s = session(d, stack, state, id, await openRelease(d.engine, state, stack, w), w);
    await reconcile(d, s);
    return await run(s);
  } finally {
    await release();
  }
}
