// GitHub deployments of a promotion, in GitHub Actions: one deployment per promotion for the stack's environment
// (ref = the commit shipped), then its statuses: in_progress at the start, success at the end (auto_inactive, so the
// deployment it supersedes turns inactive), failure when it is rolled back or held, inactive never posted by hand.
// POST only, to the origin of GITHUB_API_URL only (no redirect followed), with the job's token (GITHUB_TOKEN, which
// needs `deployments: write`). Posting is best effort: a failure is one warning on stderr and never stops a release
// or a rollback.
import type { CiRun } from "./approval";

/** pending: paused for a person (`promote --continue` posts to the same deployment). */
export type DeploymentState = "in_progress" | "pending" | "success" | "failure" | "error" | "inactive";

export const DEPLOYMENT_TIMEOUT_MS = 10_000;

export interface Deployment {
  /** The deployment's id; undefined when none was created (outside GitHub Actions, or the create failed). */
  id?: number;
  /** Posts a status; resolves when done or failed (a warning), never rejects. */
  status(state: DeploymentState, description: string): Promise<void>;
}

interface Poster {
  post(route: string, path: string, body: unknown): Promise<unknown>;
}

function poster(ci: CiRun, timeoutMs: number): Poster {
  const base = new URL(ci.apiUrl.endsWith("/") ? ci.apiUrl : `${ci.apiUrl}/`);
  return {
    async post(route, path, body) {
      const url = new URL(path.replace(/^\//, ""), base);
      if (url.origin !== base.origin) throw new Error(`${url.origin} is not ${base.origin}`);
      const r = await fetch(url, {
        method: "POST",
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          accept: "application/vnd.github+json",
          authorization: `token ${ci.token}`,
          "content-type": "application/json",
          "user-agent": "slipway",
          "x-github-api-version": "2022-11-28",
        },
        body: JSON.stringify(body),
      });
      const text = await r.text().catch(() => "");
      if (r.status < 200 || r.status >= 300) {
        let message = text.slice(0, 200);
        try {
          message = String((JSON.parse(text) as { message?: unknown }).message ?? message);
        } catch {
          // not JSON: the text itself
        }
        throw new Error(`${route}: HTTP ${r.status}: ${message.split("\n")[0]}`);
      }
      return JSON.parse(text) as unknown;
    },
  };
}

function repoPath(ci: CiRun): string {
  const [owner, repo] = ci.repository.split("/");
  return `repos/${encodeURIComponent(owner ?? "")}/${encodeURIComponent(repo ?? "")}`;
}

const NOTHING: Deployment = { status: async () => undefined };

/**
 * Creates the deployment of a promotion of `version` to `environment` (or takes `id`, the one a paused promotion
 * created) and returns its status poster; outside GitHub Actions (no run) it does nothing. `warn` gets one line per
 * failed call.
 */
export async function startDeployment(
  ci: CiRun | undefined,
  o: { environment: string; version: string; environmentUrl?: string; id?: number },
  warn: (line: string) => void,
  timeoutMs = DEPLOYMENT_TIMEOUT_MS,
): Promise<Deployment> {
  if (ci === undefined) return NOTHING;
  const http = poster(ci, timeoutMs);
  const logUrl = `${ci.serverUrl}/${ci.repository}/actions/runs/${ci.runId}`;
  const warned = (what: string, err: unknown) =>
    warn(
      `warning: GitHub deployment ${what} not posted (${err instanceof Error ? err.message.split("\n")[0] : String(err)}); the release goes on`,
    );
  let id: number;
  if (o.id !== undefined) id = o.id;
  else
    try {
      const created = (await http.post("POST /repos/{owner}/{repo}/deployments", `${repoPath(ci)}/deployments`, {
        ref: ci.sha,
        environment: o.environment,
        auto_merge: false,
        required_contexts: [],
        description: `slipway promote ${o.version}`,
        payload: { version: o.version },
      })) as { id?: unknown };
      if (typeof created?.id !== "number") throw new Error("the answer names no deployment id");
      id = created.id;
    } catch (err) {
      warned(`for ${o.environment}`, err);
      return NOTHING;
    }
  return {
    id,
    async status(state, description) {
      try {
        await http.post(
          "POST /repos/{owner}/{repo}/deployments/{id}/statuses",
          `${repoPath(ci)}/deployments/${id}/statuses`,
          {
            state,
            description: description.slice(0, 140),
            log_url: logUrl,
            ...(o.environmentUrl ? { environment_url: o.environmentUrl } : {}),
            ...(state === "success" ? { auto_inactive: true } : {}),
          },
        );
      } catch (err) {
        warned(`status ${state} of deployment ${id}`, err);
      }
    },
  };
}
