// Who approved a promotion, and whether that is proven. In GitHub Actions the approver is read from the run's
// environment review (the deployment protection rule GitHub enforces before the job starts), never from a flag, and
// the four-eyes rule is checked against the run's actors and the author and committer of the commit being shipped. Anything that
// cannot be proven (an API error, a timeout, an unexpected answer) refuses the promotion: it never passes by default.
import { InputError } from "../errors";
import { githubReader, GithubReader } from "./github";

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

/** Who must approve (stacks/config.ts ApprovalRule, `slipway:approval`), as the rule reads it. */
export interface ApprovalRule {
  requiredReviewers: number;
  fourEyes: boolean;
  environment: string;
}

export const APPROVAL_TIMEOUT_MS = 10_000;

/** The subset of the REST answers the rule reads (GET .../runs/{id}/approvals, GET .../runs/{id}, GET .../commits/{sha}). */
interface Account {
  login?: string;
  type?: string;
}
interface Review {
  state: string;
  user?: Account | null;
  environments?: { name?: string }[];
  comment?: string;
  /** Pull request reviews carry the commit they reviewed; a review of another commit does not approve this one. */
  commit_id?: string;
  /** The run a review belongs to, when the answer says. */
  run_id?: number | string;
}
interface Run {
  id?: number | string;
  actor?: Account | null;
  triggering_actor?: Account | null;
  html_url?: string;
  head_sha?: string;
}
interface Commit {
  sha?: string;
  author?: Account | null;
  committer?: Account | null;
}

/** Who the four-eyes rule compares approvers with, and which run and commit an approval must be for. */
export interface ReviewContext {
  actor?: string;
  triggeringActor?: string;
  author?: string;
  committer?: string;
  /** The commit being promoted: a review naming another commit does not count. */
  sha?: string;
  /** The run being promoted: a review naming another run does not count. */
  runId?: string;
}

function refuse(rule: string, why: string): InputError {
  return new InputError(`approval refused (rule ${rule}): ${why}`, { rule });
}

function loginOf(u: Account | null | undefined): string | undefined {
  return u?.login?.toLowerCase();
}

/** A GitHub App or other machine account: its review is never an approval. */
export function isBot(u: Account | null | undefined): boolean {
  return u?.type?.toLowerCase() === "bot" || (loginOf(u) ?? "").endsWith("[bot]");
}

const REJECTIONS = new Set(["rejected", "changes_requested"]);
const stateOf = (r: Review) => String(r.state ?? "").toLowerCase();
const short = (sha: unknown) => String(sha ?? "(none)").slice(0, 12);

/** Why an approved review does not count whatever the four-eyes setting, or undefined when it may. */
function notAnApproval(r: Review, ctx: ReviewContext): string | undefined {
  const who = r.user?.login ?? "a reviewer";
  if (isBot(r.user)) return `${who} is a bot account`;
  if (ctx.sha && r.commit_id !== undefined && String(r.commit_id).toLowerCase() !== ctx.sha.toLowerCase())
    return `${who} approved commit ${short(r.commit_id)}, not ${short(ctx.sha)}`;
  if (ctx.runId && r.run_id !== undefined && String(r.run_id) !== ctx.runId)
    return `${who} approved run ${r.run_id}, not ${ctx.runId}`;
  return undefined;
}

function noApproval(reviews: Review[], rule: ApprovalRule, dropped: string[]): InputError {
  const others = [...new Set(reviews.flatMap((r) => (r.environments ?? []).map((e) => e.name)))].filter(
    (n) => n && n !== rule.environment,
  );
  const seen = others.length > 0 ? ` (reviews exist only for ${others.join(", ")})` : "";
  const why = dropped.length > 0 ? ` (${[...new Set(dropped)].join("; ")}: not an approval)` : "";
  return refuse(
    "environment-review",
    `the run has no approved review for the ${rule.environment} environment${seen}${why}; run the job in environment ${rule.environment} with required reviewers`,
  );
}

/** Approvers of `environment` that the rule lets count, or a refusal naming the rule that struck them. */
export function checkReviews(reviews: Review[], rule: ApprovalRule, ctx: ReviewContext): string[] {
  if (!Array.isArray(reviews)) throw refuse("verified-approval", "the approvals answer is not a list of reviews");
  const mine = reviews.filter((r) => (r.environments ?? []).some((e) => e.name === rule.environment));
  const rejected = mine.find((r) => REJECTIONS.has(stateOf(r)));
  if (rejected)
    throw refuse(
      "rejected-review",
      `${rejected.user?.login ?? "a reviewer"} rejected the ${rule.environment} deployment of this run`,
    );
  const approved = mine.filter((r) => stateOf(r) === "approved");
  const dropped = approved.map((r) => notAnApproval(r, ctx)).filter((w): w is string => w !== undefined);
  const logins = approved.filter((r) => notAnApproval(r, ctx) === undefined).map((r) => loginOf(r.user));
  const approvers = [...new Set(logins.filter((l): l is string => !!l))];
  if (approvers.length === 0) throw noApproval(reviews, rule, dropped);
  if (!rule.fourEyes) return enough(approvers, rule, []);
  const roles: [string | undefined, string][] = [
    [ctx.actor, "started the run"],
    [ctx.triggeringActor, "triggered the run"],
    [ctx.author, "wrote the commit being shipped"],
    [ctx.committer, "committed the commit being shipped"],
  ];
  const struck: string[] = [];
  const counted = approvers.filter((a) => {
    const role = roles.find(([who]) => who !== undefined && who === a)?.[1];
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

/** The run record must be the run being promoted, at the commit being promoted. */
function checkRun(ci: CiRun, run: Run): void {
  if (run === null || typeof run !== "object")
    throw refuse("verified-approval", "the run answer is not a workflow run");
  if (run.id !== undefined && String(run.id) !== ci.runId)
    throw refuse("verified-approval", `the API answered for run ${run.id}, not run ${ci.runId} being promoted`);
  if (typeof run.head_sha !== "string" || run.head_sha.toLowerCase() !== ci.sha.toLowerCase())
    throw refuse(
      "verified-approval",
      `run ${ci.runId} is at commit ${short(run.head_sha)}, not ${short(ci.sha)} being promoted; promote from the run that built that commit`,
    );
}

/** The commit being shipped: its author and committer, for four-eyes. */
async function commitPeople(gh: GithubReader, ci: CiRun): Promise<{ author: string; committer?: string }> {
  const commit = await gh.get<Commit>("GET /repos/{owner}/{repo}/commits/{ref}", { ref: ci.sha });
  if (typeof commit?.sha === "string" && commit.sha.toLowerCase() !== ci.sha.toLowerCase())
    throw refuse("verified-approval", `the API answered for commit ${short(commit.sha)}, not ${short(ci.sha)}`);
  const author = loginOf(commit?.author);
  if (author === undefined) {
    throw refuse(
      "four-eyes",
      `commit ${short(ci.sha)} has no GitHub author, so the approver cannot be shown not to have written it`,
    );
  }
  return { author, committer: loginOf(commit.committer) };
}

/** Reads the run, every page of its reviews and the commit, and applies the rule; resolves to the verified approval or throws. */
export async function verifyApproval(
  ci: CiRun,
  rule: ApprovalRule,
  timeoutMs = APPROVAL_TIMEOUT_MS,
): Promise<Approval> {
  const gh = githubReader(ci.apiUrl, ci.repository, ci.token, timeoutMs);
  const run = await gh.get<Run>("GET /repos/{owner}/{repo}/actions/runs/{run_id}", { run_id: ci.runId });
  checkRun(ci, run);
  const reviews = await gh.list<Review>(
    "GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals",
    { run_id: ci.runId },
    "approvals",
  );
  const actor = loginOf(run.actor);
  const triggeringActor = loginOf(run.triggering_actor);
  if (rule.fourEyes && actor === undefined)
    throw refuse("four-eyes", "the run record names no actor, so the approver cannot be shown to be someone else");
  const people = rule.fourEyes ? await commitPeople(gh, ci) : undefined;
  const approvers = checkReviews(reviews, rule, {
    ...{ actor, triggeringActor, author: people?.author, committer: people?.committer },
    ...{ sha: ci.sha, runId: ci.runId },
  });
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
    commit: { sha: ci.sha, author: people?.author },
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
