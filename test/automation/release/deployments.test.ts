// GitHub deployments of a promotion: created for the stack's environment at the commit shipped, with statuses as the
// promotion goes; a failure to post is a warning and never stops a release or a rollback.
import { strict as assert } from "assert";
import { run } from "../../../automation/cli/entry";
import { startDeployment } from "../../../automation/release/deployments";
import { EXIT } from "../../../automation/errors";
import { baseConfig, FakeEngine, harness, Harness, provider } from "../fakes";
import { fakeDeployments, FakeDeployments } from "./deploymentsApi";
import { ciFor, REPO, SHA, TOKEN } from "./githubApi";

const STACKS = ["dev", "staging", "prod", "local"];
async function cli(h: Harness, argv: string[]) {
  let out = "";
  let err = "";
  const code = await run(argv, STACKS, async () => h.deps, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}
const PROMOTE = ["promote", "--stack", "local", "--version", "1.4.0"];
const LOG_URL = `https://github.com/${REPO}/actions/runs/9001`;

/** A local stack whose promotions post to the fake API, as main.ts wires it in GitHub Actions. */
function wired(api: FakeDeployments): Harness {
  const h = harness(new FakeEngine({ local: baseConfig("local") }));
  const ci = ciFor(api.url);
  h.deps.githubDeployment = (o) => startDeployment(ci, o, h.deps.progress);
  return h;
}
const states = (api: FakeDeployments) => api.calls.slice(1).map((c) => c.body.state);

describe("#deployments: the client", () => {
  let api: FakeDeployments;
  beforeEach(async () => (api = await fakeDeployments()));
  afterEach(() => api.close());

  it("creates the deployment at the commit for the environment, then posts statuses with the run's log URL", async () => {
    const d = await startDeployment(ciFor(api.url), { environment: "prod", version: "1.4.0" }, () => undefined);
    await d.status("success", "1.4.0 promoted");
    const [create, status] = api.calls;
    assert.deepEqual([create.method, create.path], ["POST", `/repos/${REPO}/deployments`]);
    assert.deepEqual(
      [create.body.ref, create.body.environment, create.body.auto_merge, create.body.required_contexts],
      [SHA, "prod", false, []],
    );
    assert.equal(create.auth, `token ${TOKEN}`);
    assert.equal(status.path, `/repos/${REPO}/deployments/${d.id}/statuses`);
    assert.deepEqual([status.body.state, status.body.log_url, status.body.auto_inactive], ["success", LOG_URL, true]);
  });

  it("warns once and goes on when GitHub refuses, never throwing", async () => {
    api.fail = 403;
    const warned: string[] = [];
    const d = await startDeployment(ciFor(api.url), { environment: "prod", version: "1.4.0" }, (l) => warned.push(l));
    await d.status("success", "done");
    assert.equal(d.id, undefined);
    assert.equal(warned.length, 1);
    assert.match(warned[0], /warning: GitHub deployment for prod not posted \(.*HTTP 403.*\); the release goes on/);
    assert.ok(!warned[0].includes(TOKEN));
  });

  it("does nothing outside GitHub Actions", async () => {
    const d = await startDeployment(undefined, { environment: "prod", version: "1.4.0" }, () => assert.fail());
    await d.status("success", "done");
    assert.equal(api.calls.length, 0);
  });
});

describe("#deployments: a promotion's statuses", () => {
  let api: FakeDeployments;
  beforeEach(async () => (api = await fakeDeployments()));
  afterEach(() => api.close());

  it("posts in_progress at the start and success (auto_inactive) at the end, and records the deployment", async () => {
    const h = wired(api);
    assert.equal((await cli(h, PROMOTE)).code, 0);
    assert.deepEqual(states(api), ["in_progress", "success"]);
    const start = (await h.deps.state("local").read()).find((e) => e.event === "start")!;
    assert.equal(typeof start.evidence?.deployment?.id, "number");
  });

  it("posts failure when the promotion is rolled back", async () => {
    const h = wired(api);
    h.deps.providers = () => [provider(() => ({ provider: "kubernetes", ok: false, detail: "down", durationMs: 0 }))];
    assert.equal((await cli(h, PROMOTE)).code, 3);
    assert.deepEqual(states(api), ["in_progress", "failure"]);
  });

  it("posts pending at a pause, and the continue finishes the same deployment", async () => {
    const h = wired(api);
    assert.equal((await cli(h, [...PROMOTE, "--steps", "10,pause,100"])).code, EXIT.paused);
    assert.equal((await cli(h, ["promote", "--stack", "local", "--continue"])).code, 0);
    assert.equal(api.calls.filter((c) => c.path.endsWith("/deployments")).length, 1, "one deployment");
    assert.deepEqual(states(api), ["in_progress", "pending", "in_progress", "success"]);
  });

  it("promotes all the same when every post fails, with a warning on stderr", async () => {
    api.fail = 500;
    const h = wired(api);
    const r = await cli(h, PROMOTE);
    assert.equal(r.code, 0, r.err);
    assert.ok(h.progress.some((l) => /warning: GitHub deployment for local not posted/.test(l)));
  });
});
