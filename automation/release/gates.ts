// Asking the analysis providers for a verdict and reporting each one as progress. The runner in analysis/ makes an
// error, a timeout or an empty answer a failed check; here, no provider at all is a failure too (a canary nobody
// watches is not healthy).
import { runGates as runProviders } from "../analysis";
import type { Deps } from "../deps";
import type { AnalysisProvider, GateContext, Verdict } from "../types";
import { humanDuration } from "../report/format";

export async function runGates(
  d: Pick<Deps, "progress">,
  providers: AnalysisProvider[],
  ctx: GateContext,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Verdict[]> {
  if (providers.length === 0) {
    return [
      {
        provider: "none",
        ok: false,
        detail: "no analysis provider configured (slipway:canary.analysis)",
        durationMs: 0,
      },
    ];
  }
  const verdicts = await runProviders(providers, ctx, { timeoutMs, signal });
  for (const v of verdicts) {
    d.progress(
      `${ctx.stack}: step ${ctx.step} gate ${v.provider} ${v.ok ? "pass" : "FAIL"} (${humanDuration(v.durationMs)}): ${v.detail}`,
    );
  }
  return verdicts;
}
