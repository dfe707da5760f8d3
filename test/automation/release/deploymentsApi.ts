// A local stand-in for GitHub's deployments API on 127.0.0.1: it records every call (method, path, token, body) and
// answers as GitHub documents (201 with the deployment or status), or fails every call with `fail`.
import type * as http from "node:http";
import { json, serve, TestServer } from "../analysis/server";
import { REPO } from "./githubApi";

export interface DeploymentCall {
  method: string;
  path: string;
  auth: string;
  body: Record<string, unknown>;
}

export interface FakeDeployments extends TestServer {
  calls: DeploymentCall[];
  /** Status for every call instead of 201 (e.g. 403 without `deployments: write`). */
  fail?: number;
}

export async function fakeDeployments(): Promise<FakeDeployments> {
  const calls: DeploymentCall[] = [];
  let out: FakeDeployments | undefined;
  let next = 7000;
  const handler: http.RequestListener = (req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString("utf8")));
    req.on("end", () => {
      const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      const path = req.url ?? "";
      calls.push({ method: req.method ?? "", path, auth: String(req.headers.authorization ?? ""), body });
      if (out!.fail !== undefined) return json(res, out!.fail, { message: "Resource not accessible by integration" });
      if (req.method === "POST" && path === `/repos/${REPO}/deployments`)
        return json(res, 201, { id: ++next, ref: body.ref, environment: body.environment, sha: body.ref });
      const m = new RegExp(`^/repos/${REPO}/deployments/(\\d+)/statuses$`).exec(path);
      if (req.method === "POST" && m) return json(res, 201, { id: ++next, state: body.state });
      json(res, 404, { message: "Not Found" });
    });
  };
  out = Object.assign(await serve(handler), { calls });
  return out;
}
