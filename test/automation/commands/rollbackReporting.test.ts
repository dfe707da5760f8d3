// A rollback is seen where a promotion is: a GitHub deployment for the stack's environment with its statuses, and a
// job summary, in GitHub Actions; neither can stop the rollback.
import { strict as assert } from "assert";
import { startDeployment } from "../../../automation/release/deployments";
import { fakeDeployments, FakeDeployments } from "../release/deploymentsApi";
import { ciFor } from "../release/githubApi";
import { cli } from "./promoteKit";
import { promotedLocal, ROLLBACK_LOCAL } from "./rollbackKit";

describe("a rollback in GitHub Actions", () => {
  let api: FakeDeployments;
  beforeEach(async () => (api = await fakeDeployments()));
  afterEach(() => api.close());

  it("creates a deployment of the version it returns to, in_progress then success, and writes a job summary", async () => {
    const h = await promotedLocal(["1.4.0", "1.5.0"]);
    const summaries: string[] = [];
    h.deps.githubDeployment = (o) => startDeployment(ciFor(api.url), o, h.deps.progress);
    h.deps.summary = (md) => summaries.push(md);
    const r = await cli(h, ROLLBACK_LOCAL);
    assert.equal(r.code, 0, r.err);
    const [create, ...statuses] = api.calls;
    assert.deepEqual(
      [create.body.environment, (create.body.payload as { version?: string }).version],
      ["local", "1.4.0"],
    );
    assert.deepEqual(
      statuses.map((c) => c.body.state),
      ["in_progress", "success"],
    );
    assert.equal(summaries.length, 1);
    assert.match(summaries[0], /^## slipway rollback `local`: COMPLETED/);
    assert.match(summaries[0], /`1\.5\.0` -> `1\.4\.0`/);
  });

  it("still rolls back when GitHub refuses the deployment, with one warning", async () => {
    api.fail = 500;
    const h = await promotedLocal(["1.4.0", "1.5.0"]);
    const warned: string[] = [];
    h.deps.githubDeployment = (o) => startDeployment(ciFor(api.url), o, (l) => warned.push(l));
    const r = await cli(h, ROLLBACK_LOCAL);
    assert.equal(r.code, 0, r.err);
    assert.equal(warned.length, 1);
    assert.match(warned[0], /warning: GitHub deployment for local not posted/);
  });
});
