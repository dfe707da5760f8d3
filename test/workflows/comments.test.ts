// The scripts the workflows run to comment, played against a fake GitHub API: the preview comment is rewritten on
// every push (also when no stack is affected, naming the commit) and shows a stack whose job left no report as
// failed; the drift issue gets a comment per check instead of a rewritten body.
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";

const dir = join(__dirname, "..", "..", ".github", "workflows");
interface Step {
  name?: string;
  if?: string;
  with?: { script?: string };
}
const jobOf = (file: string, job: string) =>
  (
    parse(readFileSync(join(dir, file), "utf8")) as {
      jobs: Record<string, { if?: string; needs?: string[]; steps: Step[] }>;
    }
  ).jobs[job];
const scriptOf = (file: string, job: string, name: string) =>
  jobOf(file, job).steps.find((s) => s.name === name)!.with!.script!;

interface Call {
  op: string;
  args: Record<string, unknown>;
}

/** Runs a github-script body in `cwd` with the environment given and a GitHub API that records its calls. */
async function play(
  script: string,
  cwd: string,
  env: Record<string, string>,
  existing: unknown[] = [],
): Promise<Call[]> {
  const calls: Call[] = [];
  const rec = (op: string) => async (args: Record<string, unknown>) => void calls.push({ op, args });
  const github = {
    paginate: async () => existing,
    rest: {
      issues: {
        listComments: {},
        listForRepo: {},
        updateComment: rec("updateComment"),
        createComment: rec("createComment"),
        create: rec("create"),
        update: rec("update"),
      },
    },
  };
  const context = { repo: { owner: "acme", repo: "slipway" }, issue: { number: 7 } };
  const saved = { ...process.env };
  const here = process.cwd();
  Object.assign(process.env, env);
  process.chdir(cwd);
  try {
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor;
    await new AsyncFunction("require", "github", "context", script)(require, github, context);
  } finally {
    process.chdir(here);
    for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
    Object.assign(process.env, saved);
  }
  return calls;
}

const RUN_ENV = {
  GITHUB_SHA: "3f2a9c1e5b7d4a6c8e0f1a2b3c4d5e6f7a8b9c0d",
  GITHUB_SERVER_URL: "https://github.com",
  GITHUB_REPOSITORY: "acme/slipway",
  GITHUB_RUN_ID: "4242",
};

describe("workflow comment scripts", () => {
  const comment = () => scriptOf("preview.yml", "comment", "Update the sticky preview comment");

  it("runs the preview comment job on every push, also when the preview matrix is skipped", () => {
    const job = jobOf("preview.yml", "comment");
    assert.equal(job.if, "always()");
    assert.deepEqual(job.needs, ["plan", "preview"]);
  });

  it("says no stack is affected by the commit, with the run, replacing the previous comment", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "slipway-comment-"));
    const env = { ...RUN_ENV, STACKS: "[]", PLAN_RESULT: "success", PREVIEW_RESULT: "skipped" };
    const calls = await play(comment(), cwd, env, [{ id: 99, body: "<!-- slipway-preview-report -->\nold" }]);
    assert.equal(calls[0].op, "updateComment");
    assert.match(
      String(calls[0].args.body),
      /No stack affected by `3f2a9c1e5b7d` \(checked .*, \[run 4242\]\(https:\/\/github\.com\/acme\/slipway\/actions\/runs\/4242\)\)/,
    );
  });

  it("shows a stack whose job wrote no report as failed, beside the reports that were written", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "slipway-comment-"));
    writeFileSync(
      join(cwd, "preview-dev.md"),
      "<!-- slipway-preview-report -->\n## slipway preview\n\n### Stack `dev`\n\nok",
    );
    const env = { ...RUN_ENV, STACKS: '["dev","prod"]', PLAN_RESULT: "success", PREVIEW_RESULT: "failure" };
    const [c] = await play(comment(), cwd, env);
    assert.equal(c.op, "createComment");
    const body = String(c.args.body);
    assert.equal(body.match(/## slipway preview/g)?.length, 1);
    assert.match(body, /### Stack `dev`\n\nok/);
    assert.match(
      body,
      /### Stack `prod`: preview FAILED[\s\S]*\*\*The preview failed\*\* \(failure\)[\s\S]*\[run 4242\]/,
    );
  });

  it("comments each drift report on the open issue instead of rewriting its body", async () => {
    const script = scriptOf("drift.yml", "drift", "Open, update or close the drift issue");
    const cwd = mkdtempSync(join(tmpdir(), "slipway-drift-"));
    writeFileSync(join(cwd, "drift-prod.md"), "<!-- slipway-drift-report -->\nDrift first seen ...");
    const existing = [{ number: 12, title: "Drift detected in stack prod" }];
    const calls = await play(script, cwd, { ...RUN_ENV, STACK: "prod", DRIFTED: "true" }, existing);
    assert.deepEqual(
      calls.map((c) => c.op),
      ["createComment"],
    );
    assert.match(String(calls[0].args.body), /Drift first seen[\s\S]*Checked in \[run 4242\]/);
  });
});
