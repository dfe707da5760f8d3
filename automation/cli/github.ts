import { appendFileSync } from "node:fs";

/**
 * GitHub Actions integration through the runner's own files: when the variables are absent (a laptop, another CI)
 * every function here does nothing, so commands never need a flag to know where they run.
 */
export interface GithubEnv {
  GITHUB_OUTPUT?: string;
  GITHUB_STEP_SUMMARY?: string;
}

/** Sets a step output (`steps.<id>.outputs.<name>`); values are single-line. */
export function setOutput(name: string, value: string, env: GithubEnv = process.env): void {
  if (!env.GITHUB_OUTPUT) return;
  appendFileSync(env.GITHUB_OUTPUT, `${name}=${value.replace(/\r?\n/g, " ")}\n`);
}

/** Appends Markdown to the job summary page. */
export function appendSummary(markdown: string, env: GithubEnv = process.env): void {
  if (!env.GITHUB_STEP_SUMMARY) return;
  appendFileSync(env.GITHUB_STEP_SUMMARY, markdown.endsWith("\n") ? markdown : `${markdown}\n`);
}
