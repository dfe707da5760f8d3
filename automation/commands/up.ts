// `slipway up`: a full update of one stack with the policy pack, under the stack's lock, journaled. The program reads
// the release from the stack's record, so the update applies what the last promotion shipped, from any runner. A change
// freeze refuses it unless --break-glass --reason overrides.
import { BreakGlass, checkFreeze } from "../release/freeze";
import { origin } from "../release/evidence";
import type { Deps, UpdateResult } from "../deps";
import { withStackLock } from "../state/lock";
import { EXIT, InputError, SlipwayError } from "../errors";
import { catalogueChange, changeText, checkRemoval, servingServices } from "../release/catalogueChange";
import { breakGlassArgs, oneStack, text } from "./args";
import { glassLine, JSON_OPTION, Opts, VERBOSE_OPTION, Verb, verboseArg } from "./command";
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
  /** Services the catalogue dropped whose removal from a prod stack is confirmed (`--confirm-removal <name>`). */
  confirmRemoval?: string[];
}

/** The deployed stack's outputs; none for a stack never deployed. */
async function outputsOf(d: Deps, stack: string): Promise<Record<string, unknown>> {
  try {
    return await d.engine.outputs(stack);
  } catch (err) {
    if (err instanceof SlipwayError && err.detail.stackMissing === true) return {};
    throw err;
  }
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
    const serving = servingServices(await outputsOf(d, a.stack), s.rel.current?.record.release);
    const change = catalogueChange(s.rel.config, serving);
    checkRemoval(a.stack, s.rel.config.environment === "prod", change, a.confirmRemoval ?? []);
    const line = changeText(a.stack, change);
    if (line) d.progress(line);
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

function confirmRemovalArg(o: Opts): { confirmRemoval?: string[] } {
  const raw = text(o, "confirmRemoval", "--confirm-removal");
  if (raw === undefined) return {};
  const names = raw.split(",").map((s) => s.trim());
  const bad = names.find((s) => !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(s));
  if (bad !== undefined)
    throw new InputError(
      `--confirm-removal ${JSON.stringify(bad)} is not a service name: give the removed service's name, e.g. --confirm-removal billing`,
    );
  return { confirmRemoval: names };
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
    {
      flags: "--confirm-removal <names>",
      help: "services the catalogue dropped that a prod stack may delete, comma-separated",
    },
  ],
  parse: (o, stacks) => ({
    stack: oneStack(o, stacks),
    json: o.json === true,
    ...breakGlassArgs(o),
    ...verboseArg(o),
    ...confirmRemovalArg(o),
  }),
  async run(d, a) {
    const r = await up(d, a);
    const text = `${glassLine(r.breakGlass)}${r.stack}: updated, ${r.changes.length} changes (${humanDuration(r.durationMs)})\n`;
    return { code: EXIT.ok, json: r, text, outcome: "ok" };
  },
};
