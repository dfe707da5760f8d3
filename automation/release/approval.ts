// Who approved a promotion, and whether that is proven. In GitHub Actions the approver is read from the run's
// environment review (the deployment protection rule GitHub enforces before the job starts), never from a flag, and
// the four-eyes rule is checked against the run's actors and the author of the commit being shipped. Anything that
// cannot be proven (an API error, a timeout, an unexpected answer) refuses the promotion: it never passes by default.
import type { ApprovalRule } from "../../stacks/config";
import { EngineError, InputError } from "../errors";

/** The GitHub Actions run the driver is in (from GITHUB_* variables, read in automation/cli/github.ts). */
export interface CiRun {
  apiUrl: string;
  serverUrl: string;
  /** owner/name */
  repository: string;
  runId: string;
  runAttempt?: string;
  /** The job's token (GITHUB_TOKEN with `actions: read`); never journaled. */
  token: string;
  /** The commit being shipped (GITHUB_SHA). */
  sha: string;
  /** GITHUB_ACTOR, as the runner reports it; the run's own record is what the rule checks. */
  actor?: string;
}

export interface Approval {
  verified: boolean;
  approvers: string[];
  source: "github-environment-review" | "flag";
  environment?: string;
  rule: { requiredReviewers: number; fourEyes: boolean };
  run?: { id: string; url: string; actor?: string; triggeringActor?: string };
  commit?: { sha: string; author?: string };
}

export const APPROVAL_TIMEOUT_MS = 10_000;

/** The subset of the REST answers the rule reads (GET .../runs/{id}/approvals, GET .../runs/{id}, GET .../commits/{sha}). */
interface Review {
  state: string;
  user?: { login?: string } | null;
  environments?: { name?: string }[];
  comment?: string;
}
interface Run {
  actor?: { login?: string } | null;
  triggering_actor?: { login?: string } | null;
  html_url?: string;
  head_sha?: string;
}
interface Commit {
  sha?: string;
  author?: { login?: string } | null;
}

function refuse(rule: string, why: string): InputError {
  return new InputError(`approval refused (rule ${rule}): ${why}`, { rule });
}

async function client(ci: CiRun, timeoutMs: number) {
  const { Octokit } = await import("@octokit/core");
  const octokit = new Octokit({ auth: ci.token, baseUrl: ci.apiUrl, userAgent: "slipway" });
  const [owner, repo] = ci.repository.split("/");
  return async <T>(route: string, params: Record<string, string>): Promise<T> => {
    try {
      const r = await octokit.request(route, {
        owner,
        repo,
        ...params,
        request: { signal: AbortSignal.timeout(timeoutMs) },
      });
      return r.data as T;
    } catch (err) {
      const e = err as Error & { status?: number; cause?: Error };
      // Octokit reports an aborted fetch as a RequestError with status 500; the abort is in its cause.
      const timedOut = [e.name, e.cause?.name].some((n) => n === "TimeoutError" || n === "AbortError");
      const why = timedOut ? `no answer within ${timeoutMs} ms` : `${e.status ?? e.name}: ${e.message.split("\n")[0]}`;
      throw new EngineError(
        `approval refused (rule verified-approval): ${route} failed (${why}); the approval cannot be proven, so the promotion does not run. ` +
          "Check that the job's token has `actions: read` and re-run the job",
        { rule: "verified-approval" },
      );
    }
  };
}

function loginOf(u: { login?: string } | null | undefined): string | undefined {
  return u?.login?.toLowerCase();
}

/** Approvers of `environment` that the rule lets count, or a refusal naming the rule that struck them. */
export function checkReviews(
  reviews: Review[],
  rule: ApprovalRule,
  ctx: { actor?: string; triggeringActor?: string; author?: string },
): string[] {
  if (!Array.isArray(reviews)) throw refuse("verified-approval", "the approvals answer is not a list of reviews");
  const mine = reviews.filter((r) => (r.environments ?? []).some((e) => e.name === rule.environment));
  const rejected = mine.find((r) => r.state === "rejected");
  if (rejected)
    throw refuse(
      "rejected-review",
      `${rejected.user?.login ?? "a reviewer"} rejected the ${rule.environment} deployment of this run`,
    );
  const approvers = [
    ...new Set(
      mine
        .filter((r) => r.state === "approved")
        .map((r) => loginOf(r.user))
        .filter((l): l is string => !!l),
    ),
  ];
  if (approvers.length === 0) {
    const others = [...new Set(reviews.flatMap((r) => (r.environments ?? []).map((e) => e.name)))].filter(
      (n) => n && n !== rule.environment,
    );
    const seen = others.length > 0 ? ` (reviews exist only for ${others.join(", ")})` : "";
    throw refuse(
      "environment-review",
      `the run has no approved review for the ${rule.environment} environment${seen}; run the job in environment ${rule.environment} with required reviewers`,
    );
  }
  if (!rule.fourEyes) return enough(approvers, rule, []);
  const struck: string[] = [];
  const counted = approvers.filter((a) => {
    const role =
      a === ctx.actor
        ? "started the run"
        : a === ctx.triggeringActor
          ? "triggered the run"
          : a === ctx.author
            ? "wrote the commit being shipped"
            : undefined;
    if (role) struck.push(`${a} ${role}`);
    return role === undefined;
  });
  return enough(counted, rule, struck);
}

function enough(counted: string[], rule: ApprovalRule, struck: string[]): string[] {
  if (counted.length >= rule.requiredReviewers) return counted;
  const why = struck.length > 0 ? `${struck.join("; ")}, so their approval does not count; ` : "";
  throw refuse(
    struck.length > 0 ? "four-eyes" : "required-reviewers",
    `${why}${counted.length} of ${rule.requiredReviewers} required approvers remain for ${rule.environment}; another person must approve the run`,
  );
}

/** Reads the run's reviews, actors and commit and applies the rule; resolves to the verified approval or throws. */
export async function verifyApproval(
  ci: CiRun,
  rule: ApprovalRule,
  timeoutMs = APPROVAL_TIMEOUT_MS,
): Promise<Approval> {
  const get = await client(ci, timeoutMs);
  const run = await get<Run>("GET /repos/{owner}/{repo}/actions/runs/{run_id}", { run_id: ci.runId });
  const reviews = await get<Review[]>("GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals", {
    run_id: ci.runId,
  });
  const actor = loginOf(run.actor);
  const triggeringActor = loginOf(run.triggering_actor);
  if (rule.fourEyes && actor === undefined)
    throw refuse("four-eyes", "the run record names no actor, so the approver cannot be shown to be someone else");
  let author: string | undefined;
  if (rule.fourEyes) {
    const commit = await get<Commit>("GET /repos/{owner}/{repo}/commits/{ref}", { ref: ci.sha });
    author = loginOf(commit.author);
    if (author === undefined) {
      throw refuse(
        "four-eyes",
        `commit ${ci.sha.slice(0, 12)} has no GitHub author, so the approver cannot be shown not to have written it`,
      );
    }
  }
  const approvers = checkReviews(reviews, rule, { actor, triggeringActor, author });
  return {
    verified: true,
    approvers,
    source: "github-environment-review",
    environment: rule.environment,
    rule: { requiredReviewers: rule.requiredReviewers, fourEyes: rule.fourEyes },
    run: {
      id: ci.runId,
      url: run.html_url ?? `${ci.serverUrl}/${ci.repository}/actions/runs/${ci.runId}`,
      actor,
      triggeringActor,
    },
    commit: { sha: ci.sha, author },
  };
}

/** Outside CI: the --approved-by name, recorded as unverified; refused when the stack asks for an approver and none is named. */
export function flagApproval(stack: string, rule: ApprovalRule, approvedBy: string | undefined): Approval | undefined {
  if (approvedBy === undefined) {
    if (rule.requiredReviewers === 0) return undefined;
    throw new InputError(
      `--approved-by is required for ${stack}: name the person who approved the release, e.g. --approved-by "Jane Doe" (recorded as unverified; in GitHub Actions the environment review is read instead)`,
    );
  }
  return {
    verified: false,
    approvers: [approvedBy],
    source: "flag",
    rule: { requiredReviewers: rule.requiredReviewers, fourEyes: rule.fourEyes },
  };
}
