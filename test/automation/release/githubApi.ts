// A local stand-in for the GitHub REST API on 127.0.0.1: the three endpoints the approval rule reads, answering with
// the response shapes GitHub documents (trimmed to realistic fields), per test.
import type * as http from "node:http";
import { json, serve, TestServer } from "../analysis/server";

export const REPO = "acme/pricing";
export const RUN_ID = "9001";
export const SHA = "3f2a9c1b7e4d5a6f8091a2b3c4d5e6f708192a3b";
export const TOKEN = "ghs_testtoken0123456789";

export function user(login: string, id = 1000) {
  return {
    login,
    id,
    node_id: `U_${id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    type: "User",
    site_admin: false,
    html_url: `https://github.com/${login}`,
  };
}
function environment(name: string, id: number) {
  return {
    id,
    node_id: `EN_${id}`,
    name,
    url: `https://api.github.com/repos/${REPO}/environments/${name}`,
    html_url: `https://github.com/${REPO}/deployments/activity_log?environments_filter=${name}`,
    created_at: "2026-01-10T09:00:00Z",
    updated_at: "2026-06-01T09:00:00Z",
  };
}
/** One entry of GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals. */
export function review(login: string, state: string, env = "prod", comment = "Ship it!") {
  return {
    environments: [environment(env, env === "prod" ? 161088068 : 161088069)],
    state,
    comment,
    user: user(login, 2000 + login.length),
  };
}
/** A GitHub App's account, as the API shows it (`type: "Bot"`, login ending in `[bot]`). */
export function bot(login: string, id = 41898282) {
  return { ...user(login, id), type: "Bot", html_url: `https://github.com/apps/${login.replace(/\[bot\]$/, "")}` };
}
/** GET /repos/{owner}/{repo}/actions/runs/{run_id} */
export function workflowRun(actor: string, triggeringActor = actor) {
  return {
    id: Number(RUN_ID),
    name: "promote",
    node_id: "WFR_kwLOA",
    head_branch: "main",
    head_sha: SHA,
    path: ".github/workflows/promote.yml",
    run_number: 42,
    event: "workflow_dispatch",
    status: "in_progress",
    conclusion: null,
    workflow_id: 161335,
    run_attempt: 1,
    url: `https://api.github.com/repos/${REPO}/actions/runs/${RUN_ID}`,
    html_url: `https://github.com/${REPO}/actions/runs/${RUN_ID}`,
    actor: user(actor, 3001),
    triggering_actor: user(triggeringActor, 3002),
    created_at: "2026-12-01T09:00:00Z",
    updated_at: "2026-12-01T09:05:00Z",
  };
}
/** GET /repos/{owner}/{repo}/commits/{ref} */
export function commit(authorLogin: string | null, committerLogin = "web-flow") {
  return {
    sha: SHA,
    node_id: "C_kwDOA",
    url: `https://api.github.com/repos/${REPO}/commits/${SHA}`,
    html_url: `https://github.com/${REPO}/commit/${SHA}`,
    commit: {
      author: { name: "Alice Author", email: "alice@acme.example", date: "2026-11-30T17:00:00Z" },
      committer: { name: "GitHub", email: "noreply@github.com", date: "2026-11-30T17:00:00Z" },
      message: "Pricing: borrow-rate cache TTL 30s",
      tree: { sha: "a1b2c3", url: "" },
      comment_count: 0,
    },
    author: authorLogin === null ? null : user(authorLogin, 4001),
    committer: user(committerLogin, 19864447),
    parents: [],
    files: [],
  };
}

export interface Scene {
  run?: unknown;
  approvals?: unknown;
  commit?: unknown;
  /** Status for every request instead of the scene (e.g. 500), or "hang" to never answer. */
  fail?: number | "hang";
  /** The approvals in pages of this size (`?page=N`, `Link: rel="next"`), instead of one answer. */
  pageSize?: number;
  /** The origin the next-page links point to (default: this server's). */
  linkOrigin?: string;
  /** Every request is answered 302 to this URL (path and query appended when it ends in "/"). */
  redirectTo?: string;
}

export interface FakeGithub extends TestServer {
  scene: Scene;
  /** Authorization headers received. */
  auth: string[];
  /** The deployments API's calls (method, path, body), answered as GitHub documents (201). */
  deployments: Array<{ method: string; path: string; body: Record<string, unknown> }>;
}

/** The deployments API as GitHub answers it: 201 with the deployment or the status. */
function deploymentsApi(req: http.IncomingMessage, res: http.ServerResponse, calls: FakeGithub["deployments"]): void {
  let text = "";
  req.on("data", (c: Buffer) => (text += c.toString("utf8")));
  req.on("end", () => {
    const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    const path = req.url ?? "";
    calls.push({ method: req.method ?? "", path, body });
    const id = 7000 + calls.length;
    if (req.method === "POST" && path === `/repos/${REPO}/deployments`)
      return json(res, 201, { id, ref: body.ref, environment: body.environment, sha: body.ref });
    if (req.method === "POST" && /^\/repos\/[^/]+\/[^/]+\/deployments\/\d+\/statuses$/.test(path))
      return json(res, 201, { id, state: body.state });
    json(res, 200, []);
  });
}

function approvals(res: http.ServerResponse, s: Scene, path: string, query: string): void {
  const all = (s.approvals ?? []) as unknown[];
  if (s.pageSize === undefined || !Array.isArray(all)) return json(res, 200, all);
  const q = new URLSearchParams(query);
  const page = Number(q.get("page") ?? "1");
  const pages = Math.max(1, Math.ceil(all.length / s.pageSize));
  if (page < pages) {
    const origin = s.linkOrigin ?? `http://${res.req.headers.host}`;
    const next = `${origin}${path}?per_page=${q.get("per_page") ?? ""}&page=${page + 1}`;
    res.setHeader("link", `<${next}>; rel="next", <${origin}${path}?page=${pages}>; rel="last"`);
  }
  json(res, 200, all.slice((page - 1) * s.pageSize, page * s.pageSize));
}

export async function fakeGithub(scene: Scene = {}): Promise<FakeGithub> {
  const auth: string[] = [];
  let out: FakeGithub | undefined;
  const handler: http.RequestListener = (req, res) => {
    auth.push(String(req.headers.authorization ?? ""));
    const s = out!.scene;
    if (s.fail === "hang") return;
    if (s.fail !== undefined)
      return json(res, s.fail, { message: "Server Error", documentation_url: "https://docs.github.com/rest" });
    if (s.redirectTo !== undefined) {
      res.writeHead(302, {
        location: s.redirectTo.endsWith("/") ? s.redirectTo + (req.url ?? "").slice(1) : s.redirectTo,
      });
      return res.end();
    }
    const [path, query] = (req.url ?? "").split("?");
    if (path.startsWith(`/repos/${REPO}/deployments`)) return deploymentsApi(req, res, out!.deployments);
    if (path === `/repos/${REPO}/actions/runs/${RUN_ID}/approvals`) return approvals(res, s, path, query ?? "");
    if (path === `/repos/${REPO}/actions/runs/${RUN_ID}`) return json(res, 200, s.run ?? workflowRun("ci-bot"));
    if (path === `/repos/${REPO}/commits/${SHA}`) return json(res, 200, s.commit ?? commit("alice"));
    json(res, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
  };
  out = Object.assign(await serve(handler), { auth, scene, deployments: [] as FakeGithub["deployments"] });
  return out;
}

export function ciFor(apiUrl: string) {
  return {
    apiUrl,
    serverUrl: "https://github.com",
    repository: REPO,
    runId: RUN_ID,
    runAttempt: "1",
    token: TOKEN,
    sha: SHA,
    actor: "bob",
  };
}
