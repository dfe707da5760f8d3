// `slipway preview`: a preview per stack with the policy pack; the Markdown report for the PR and SARIF for code
// scanning. Exit 4 when a mandatory policy refuses (the reports are still written).
import type { Deps } from "../deps";
import { EXIT, PolicyError } from "../errors";
import type { PreviewResult } from "../types";
import { manyStacks, text } from "./args";
import { JSON_OPTION, Opts, STACKS_OPTION, Verb } from "./command";

export interface StacksArgs {
  stacks: string[];
  json: boolean;
}
export interface PreviewArgs extends StacksArgs {
  markdown?: string;
  sarif?: string;
}

export async function preview(d: Deps, a: PreviewArgs): Promise<PreviewResult[]> {
  const results: PreviewResult[] = [];
  for (const stack of a.stacks) {
    const r = await d.engine.preview(stack, { signal: d.signal, message: "slipway preview" });
    d.progress(
      `${stack}: preview: ${r.changes.length} changes, ${r.violations.length} policy findings (${r.durationMs} ms)`,
    );
    results.push(r);
  }
  if (a.markdown) await d.writeFile(a.markdown, d.renderers.previewMarkdown(results));
  if (a.sarif) await d.writeFile(a.sarif, d.renderers.previewSarif(results));
  d.summary?.(d.renderers.previewMarkdown(results));
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
    JSON_OPTION,
  ],
  parse: (o: Opts, stacks) => ({
    stacks: manyStacks(o, stacks),
    json: o.json === true,
    markdown: text(o, "markdown", "--markdown"),
    sarif: text(o, "sarif", "--sarif"),
  }),
  async run(d, a) {
    const r = await preview(d, a);
    return { code: EXIT.ok, json: r, text: d.renderers.previewText(r), outcome: "ok" };
  },
};
