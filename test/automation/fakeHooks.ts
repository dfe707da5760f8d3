// A hook runner for unit tests: Jobs that succeed or fail as a script says, every run recorded.
import type { HookContext, HookResult, HookRunner } from "../../automation/deps";

/** Per hook name: "ok" (the default), "fail", or an answer of its own (e.g. one that throws). */
export type HookScript = Record<string, "ok" | "fail" | ((ctx: HookContext) => HookResult | Promise<HookResult>)>;
export interface HookCall extends HookContext {
  hook: string;
  irreversible: boolean;
}

/** A hook runner whose Jobs succeed or fail as `script` says; `calls` records every run, in order. */
export function fakeHooks(script: HookScript = {}): HookRunner & { calls: HookCall[]; script: HookScript } {
  const calls: HookCall[] = [];
  const run: HookRunner = async (hook, ctx) => {
    calls.push({ ...ctx, hook: hook.name, irreversible: hook.irreversible });
    const answer = script[hook.name] ?? "ok";
    if (typeof answer === "function") return answer(ctx);
    const job = `${hook.name}-x7k2p`;
    return answer === "ok"
      ? { ok: true, detail: `Job ${job}: the Job succeeded (1 pod(s) completed)`, job, durationMs: 5 }
      : {
          ok: false,
          detail: `Job ${job}: the Job failed (BackoffLimitExceeded: Job has reached the specified backoff limit)`,
          job,
          durationMs: 5,
        };
  };
  return Object.assign(run, { calls, script });
}
