// `slipway preview`: a preview per stack with the policy pack; the Markdown report for the PR and SARIF for code
// scanning. Exit 4 when a mandatory policy refuses (the reports are still written).
import type { Deps } from "../deps";
import { EXIT, PolicyError } from "../errors";
import type { PreviewResult } from "../types";
import { parseStackConfig } from "../../stacks/config";
import { PreviewContext, releaseOutline } from "../report/previewContext";
import { manyStacks, text } from "./args";
import { JSON_OPTION, Opts, STACKS_OPTION, VERBOSE_OPTION, Verb, verboseArg } from "./command";
import { humanDuration } from "../report/format";

export interface StacksArgs {
  stacks: string[];
  json: boolean;
}
export interface PreviewArgs extends StacksArgs {
  markdown?: string;
  sarif?: string;
  /** Every advisory policy finding in the progress, not one line per policy. */
  verbose?: boolean;
}

/** Which commit was previewed, when, and by which run: GitHub Actions' own variables, else the checkout's HEAD. */
export function previewOrigin(d: Deps): PreviewContext {
  const ci = d.ci;
  return {
    commit: ci?.sha ?? d.commit,
    at: new Date(d.clock.now()).toISOString(),
    runUrl: ci ? `${ci.serverUrl}/${ci.repository}/actions/runs/${ci.runId}` : undefined,
  };
}

/** The release a merge would ship to the stack, from its canary policy; a config that does not parse says so. */
async function ships(d: Deps, stack: string): Promise<{ stack: string; lines: string[] }> {
  try {
    return { stack, lines: releaseOutline(parseStackConfig(stack, await d.engine.getConfig(stack))) };
  } catch (err) {
    return { stack, lines: [`no plan: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`] };
  }
}

export async function preview(d: Deps, a: PreviewArgs): Promise<PreviewResult[]> {
  const results: PreviewResult[] = [];
  const ctx: PreviewContext = { ...previewOrigin(d), failed: [], ships: [] };
  let failure: unknown;
  for (const stack of a.stacks) {
    try {
      const r = await d.engine.preview(stack, { signal: d.signal, message: "slipway preview" });
      d.progress(
        `${stack}: preview: ${r.changes.length} changes, ${r.violations.length} policy findings (${humanDuration(r.durationMs)})`,
      );
      results.push(r);
      ctx.ships!.push(await ships(d, stack));
    } catch (err) {
      // The report still says this stack was not previewed: a failed stack never just drops out of the comment.
      failure ??= err;
      const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
      d.progress(`${stack}: preview failed: ${message}`);
      ctx.failed!.push({ stack, message });
    }
  }
  if (a.markdown) await d.writeFile(a.markdown, d.renderers.previewMarkdown(results, ctx));
  if (a.sarif) await d.writeFile(a.sarif, d.renderers.previewSarif(results));
  d.summary?.(d.renderers.previewMarkdown(results, ctx));
  if (failure !== undefined) throw failure;
  const refused = results.flatMap((r) =>
    r.violations.filter((v) => v.level === "mandatory").map((v) => ({ stack: r.stack, ...v })),
  );
  if (refused.length > 0) {
    const v = refused[0];
    throw new PolicyError(
      `${v.stack}: policy ${v.policyName} refuses ${v.resourceName ?? "the stack"}: ${v.message.split("\n")[0]}`,
      { results },
    );
  }
  return results;
}

export const previewVerb: Verb<PreviewArgs> = {
  words: ["preview"],
  description: "preview stacks with the policy pack; write the PR report",
  options: [
    STACKS_OPTION,
    { flags: "--markdown <file>", help: "write the Markdown report" },
    { flags: "--sarif <file>", help: "write SARIF 2.1.0 for code scanning" },
    VERBOSE_OPTION,
    JSON_OPTION,
  ],
  parse: (o: Opts, stacks) => ({
    stacks: manyStacks(o, stacks),
    json: o.json === true,
    markdown: text(o, "markdown", "--markdown"),
    sarif: text(o, "sarif", "--sarif"),
    ...verboseArg(o),
  }),
  async run(d, a) {
    const r = await preview(d, a);
    return { code: EXIT.ok, json: r, text: d.renderers.previewText(r), outcome: "ok" };
  },
};
