import { strict as assert } from "assert";
import { verifyApproval } from "../../../automation/release/approval";
import { EngineError, InputError } from "../../../automation/errors";
import { ciFor, commit, fakeGithub, FakeGithub, review, TOKEN, workflowRun } from "./githubApi";

const PROD = { requiredReviewers: 1, fourEyes: true, environment: "prod" };

describe("#verified-approval (GitHub environment review of the run)", () => {
  let gh: FakeGithub;
  beforeEach(async () => (gh = await fakeGithub()));
  afterEach(() => gh.close());

  async function refusal(rule = PROD, timeoutMs = 2_000): Promise<Error> {
    return verifyApproval(ciFor(gh.url), rule, timeoutMs).then(
      () => assert.fail("the approval passed"),
      (e: Error) => e,
    );
  }

  it("passes with a second person's approved review for the stack's environment, and records who and where", async () => {
    gh.scene = { run: workflowRun("bob"), approvals: [review("carol", "approved")], commit: commit("alice") };
    const a = await verifyApproval(ciFor(gh.url), PROD);
    assert.equal(a.verified, true);
    assert.deepEqual(a.approvers, ["carol"]);
    assert.equal(a.run?.actor, "bob");
    assert.equal(a.commit?.author, "alice");
    assert.equal(a.run?.url, "https://github.com/acme/pricing/actions/runs/9001");
    assert.ok(
      gh.auth.every((h) => h === `token ${TOKEN}`),
      `the job's token is sent: ${gh.auth.join(", ")}`,
    );
    assert.ok(!JSON.stringify(a).includes(TOKEN), "the token is never part of the record");
  });

  it("fails when the run has no review at all", async () => {
    gh.scene = { run: workflowRun("bob"), approvals: [] };
    const e = await refusal();
    assert.ok(e instanceof InputError);
    assert.match(e.message, /rule environment-review\): the run has no approved review for the prod environment/);
  });

  it("fails when the review was a rejection", async () => {
    gh.scene = { run: workflowRun("bob"), approvals: [review("carol", "approved"), review("dave", "rejected")] };
    assert.match((await refusal()).message, /rule rejected-review\): dave rejected the prod deployment/);
  });

  it("fails when the only approval is for another environment", async () => {
    gh.scene = { run: workflowRun("bob"), approvals: [review("carol", "approved", "staging")] };
    assert.match((await refusal()).message, /rule environment-review\).*\(reviews exist only for staging\)/);
  });
});

describe("#verified-approval: four-eyes, reviewer counts and API failures", () => {
  let gh: FakeGithub;
  beforeEach(async () => (gh = await fakeGithub()));
  afterEach(() => gh.close());

  async function refusal(rule = PROD, timeoutMs = 2_000): Promise<Error> {
    return verifyApproval(ciFor(gh.url), rule, timeoutMs).then(
      () => assert.fail("the approval passed"),
      (e: Error) => e,
    );
  }

  it("fails when the approver started the run (four-eyes)", async () => {
    gh.scene = { run: workflowRun("bob"), approvals: [review("bob", "approved")] };
    assert.match(
      (await refusal()).message,
      /rule four-eyes\): bob started the run, so their approval does not count; 0 of 1/,
    );
  });

  it("fails when the approver triggered the run (a re-run by someone else keeps the first actor)", async () => {
    gh.scene = { run: workflowRun("bob", "erin"), approvals: [review("Erin", "approved")] };
    assert.match((await refusal()).message, /rule four-eyes\): erin triggered the run/);
  });

  it("fails when the approver wrote the commit being shipped (four-eyes)", async () => {
    gh.scene = { run: workflowRun("bob"), approvals: [review("alice", "approved")], commit: commit("alice") };
    assert.match((await refusal()).message, /rule four-eyes\): alice wrote the commit being shipped/);
  });

  it("fails when the commit has no GitHub author, since four-eyes cannot be shown", async () => {
    gh.scene = { run: workflowRun("bob"), approvals: [review("carol", "approved")], commit: commit(null) };
    assert.match((await refusal()).message, /rule four-eyes\): commit 3f2a9c1b7e4d has no GitHub author/);
  });

  it("counts the run's actor when four-eyes is off for the stack", async () => {
    gh.scene = { run: workflowRun("bob"), approvals: [review("bob", "approved")] };
    const a = await verifyApproval(ciFor(gh.url), { ...PROD, fourEyes: false });
    assert.deepEqual(a.approvers, ["bob"]);
  });

  it("fails when fewer distinct approvers than required remain", async () => {
    gh.scene = { run: workflowRun("bob"), approvals: [review("carol", "approved"), review("carol", "approved")] };
    assert.match(
      (await refusal({ ...PROD, requiredReviewers: 2 })).message,
      /rule required-reviewers\): 1 of 2 required approvers/,
    );
  });

  for (const status of [500, 403, 404]) {
    it(`fails, never passes, when the API answers ${status}`, async () => {
      gh.scene = { fail: status };
      const e = await refusal();
      assert.ok(e instanceof EngineError);
      assert.match(
        e.message,
        new RegExp(
          `rule verified-approval\\): GET /repos/\\{owner\\}/\\{repo\\}/actions/runs/\\{run_id\\} failed \\(${status}`,
        ),
      );
    });
  }

  it("fails, never passes, when the API does not answer in time", async () => {
    gh.scene = { fail: "hang" };
    assert.match((await refusal(PROD, 300)).message, /rule verified-approval\).*no answer within 300 ms/);
  });

  it("fails when the approvals answer is not a list", async () => {
    gh.scene = { run: workflowRun("bob"), approvals: { message: "unexpected" } };
    assert.match((await refusal()).message, /rule verified-approval\): the approvals answer is not a list/);
  });
});
