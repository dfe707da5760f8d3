// Asking the analysis providers for a verdict. An error, a timeout or an empty answer is a failed check, never a
// pass; no provider at all is a failure too (a canary nobody watches is not healthy).
import type { Deps } from "./deps";
import type { AnalysisProvider, GateContext, Verdict } from "./types";

async function checkOne(p: AnalysisProvider, ctx: GateContext, timeoutMs: number, parent: AbortSignal): Promise<Verdict> {
  const started = Date.now();
  const ctl = new AbortController();
  const onAbort = () => ctl.abort(parent.reason);
  parent.addEventListener("abort", onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Verdict>((resolve) => {
    timer = setTimeout(() => {
      ctl.abort(new Error("timeout"));
      resolve({ provider: p.name, ok: false, detail: `no answer within ${timeoutMs} ms`, durationMs: Date.now() - started });
    }, timeoutMs);
  });
  try {
    const v = await Promise.race([p.check(ctx, ctl.signal), timeout]);
    if (v === undefined || v === null || typeof v.ok !== "boolean") {
      return { provider: p.name, ok: false, detail: "empty answer", durationMs: Date.now() - started };
    }
    return v;
  } catch (err) {
    return { provider: p.name, ok: false, detail: `error: ${err instanceof Error ? err.message : String(err)}`, durationMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
    parent.removeEventListener("abort", onAbort);
  }
}

export async function runGates(
  d: Pick<Deps, "progress">,
  providers: AnalysisProvider[],
  ctx: GateContext,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Verdict[]> {
  if (providers.length === 0) {
    return [{ provider: "none", ok: false, detail: "no analysis provider configured (slipway:canary.analysis)", durationMs: 0 }];
  }
  const verdicts = await Promise.all(providers.map((p) => checkOne(p, ctx, timeoutMs, signal)));
  for (const v of verdicts) {
    d.progress(`${ctx.stack}: step ${ctx.step} gate ${v.provider} ${v.ok ? "pass" : "FAIL"} (${v.durationMs} ms): ${v.detail}`);
  }
  return verdicts;
}
