import { appendFileSync } from "node:fs";
import type { CiRun } from "../release/approval";
import { InputError } from "../errors";
import { scrubText } from "../secrets";

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

/**
 * The job summary sink of the commands (Deps.summary): in GitHub Actions, Markdown appended to $GITHUB_STEP_SUMMARY
 * with secret shapes masked first; elsewhere undefined, and nothing is written.
 */
export function summarySink(env: GithubEnv = process.env): ((markdown: string) => void) | undefined {
  if (!env.GITHUB_STEP_SUMMARY) return undefined;
  return (markdown) => appendSummary(`${scrubText(markdown)}\n`, env);
}

/**
 * The run the driver is in, when GITHUB_ACTIONS=true: what approvals are verified against. The job's token must be
 * passed as GITHUB_TOKEN (it is not in the environment by default); without it a prod promotion could not be proven.
 */
export function ciRun(env: NodeJS.ProcessEnv = process.env): CiRun | undefined {
  if (env.GITHUB_ACTIONS !== "true") return undefined;
  const need = (name: string, fix: string): string => {
    const v = env[name];
    if (!v) throw new InputError(`${name} is not set in GitHub Actions: ${fix}`);
    return v;
  };
  return {
    apiUrl: env.GITHUB_API_URL || "https://api.github.com",
    serverUrl: env.GITHUB_SERVER_URL || "https://github.com",
    repository: need("GITHUB_REPOSITORY", "the runner sets it; run slipway inside a workflow job"),
    runId: need("GITHUB_RUN_ID", "the runner sets it; run slipway inside a workflow job"),
    runAttempt: env.GITHUB_RUN_ATTEMPT,
    token: need(
      "GITHUB_TOKEN",
      "add `env: GITHUB_TOKEN: ${{ github.token }}` to the step and `actions: read` to the job's permissions",
    ),
    sha: need("GITHUB_SHA", "the runner sets it; run slipway inside a workflow job"),
    actor: env.GITHUB_ACTOR,
  };
}
