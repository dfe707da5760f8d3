// `slipway up`: a full update of one stack with the policy pack, under the stack's lock, journaled. The program reads
// the release from the stack's record, so the update applies what the last promotion shipped, from any runner. A change
// freeze refuses it unless --break-glass --reason overrides.
import { BreakGlass, checkFreeze } from "../release/freeze";
import { origin } from "../release/evidence";
import type { Deps, UpdateResult } from "../deps";
import { withStackLock } from "../state/lock";
import { EXIT } from "../errors";
import { breakGlassArgs, oneStack } from "./args";
import { glassLine, JSON_OPTION, VERBOSE_OPTION, Verb, verboseArg } from "./command";
import { humanDuration } from "../report/format";

export interface StackArgs {
  stack: string;
  json: boolean;
}
export interface UpArgs extends StackArgs {
  breakGlass: boolean;
  reason?: string;
  /** Every advisory policy finding in the progress, not one line per policy. */
  verbose?: boolean;
}

export async function up(d: Deps, a: UpArgs): Promise<UpdateResult & { breakGlass?: BreakGlass }> {
  const started = d.clock.now();
  return withStackLock(d, a.stack, "up", async (s) => {
    const breakGlass = checkFreeze(
      a.stack,
      s.rel.config.freeze,
      d.clock.now(),
      a.breakGlass ? { reason: a.reason } : undefined,
    );
    if (breakGlass)
      d.progress(
        `${a.stack}: BREAK-GLASS: freeze "${breakGlass.window.name}" (until ${breakGlass.window.end}) overridden: ${breakGlass.reason}`,
      );
    const note = s.note();
    await note({
      event: "intent",
      action: "update",
      release: s.rel.current?.record.release,
      reason: breakGlass?.reason,
      evidence: { ...origin(d), breakGlass },
    });
    try {
      const result = await d.engine.up(a.stack, { signal: d.signal, message: "slipway up" });
      await note({ event: "outcome", action: "update", ok: true, durationMs: d.clock.now() - started });
      return { ...result, breakGlass };
    } catch (err) {
      await note({
        event: "outcome",
        action: "update",
        ok: false,
        detail: err instanceof Error ? err.message.split("\n")[0] : String(err),
      });
      throw err;
    }
  });
}

export const upVerb: Verb<UpArgs> = {
  words: ["up"],
  description: "update a stack to the desired state, with the policy pack",
  options: [
    { flags: "--stack <name>", help: "stack to update" },
    JSON_OPTION,
    { flags: "--break-glass", help: "override a change freeze (journaled, flagged in every report); needs --reason" },
    { flags: "--reason <text>", help: "why the freeze is overridden; recorded" },
    VERBOSE_OPTION,
  ],
  parse: (o, stacks) => ({
    stack: oneStack(o, stacks),
    json: o.json === true,
    ...breakGlassArgs(o),
    ...verboseArg(o),
  }),
  async run(d, a) {
    const r = await up(d, a);
    const text = `${glassLine(r.breakGlass)}${r.stack}: updated, ${r.changes.length} changes (${humanDuration(r.durationMs)})\n`;
    return { code: EXIT.ok, json: r, text, outcome: "ok" };
  },
};
