// Hostile or unusual answers from the GitHub API: bot accounts, the committer, reviews of another run or commit,
// rejections in any casing, reviews past the first page, and redirects or links to another origin.
import { strict as assert } from "assert";
import { verifyApproval } from "../../../automation/release/approval";
import { MAX_PAGES, nextLink } from "../../../automation/release/github";
import { serve, TestServer } from "../analysis/server";
import { bot, ciFor, commit, fakeGithub, FakeGithub, RUN_ID, review, Scene, TOKEN, workflowRun } from "./githubApi";

const PROD = { requiredReviewers: 1, fourEyes: true, environment: "prod" };
const OTHER_SHA = "0123456789abcdef0123456789abcdef01234567";
const approved = (login: string, extra: Record<string, unknown> = {}) => ({ ...review(login, "approved"), ...extra });
const staging = (n: number) => Array.from({ length: n }, (_, i) => review(`s${i}`, "approved", "staging"));

const refusals: [string, Scene, RegExp][] = [
  [
    "a bot account's approval (user.type Bot)",
    { approvals: [approved("deployer", { user: bot("deployer") })] },
    /rule environment-review\).*deployer is a bot account: not an approval/,
  ],
  [
    "an approval by a login ending in [bot]",
    { approvals: [review("renovate[bot]", "approved")] },
    /rule environment-review\).*renovate\[bot\] is a bot account/,
  ],
  [
    "an approval by the commit's committer",
    { approvals: [review("carol", "approved")], commit: commit("alice", "carol") },
    /rule four-eyes\): carol committed the commit being shipped, so their approval does not count/,
  ],
  [
    "a review of another commit (commit_id)",
    { approvals: [approved("carol", { commit_id: OTHER_SHA })] },
    /rule environment-review\).*carol approved commit 0123456789ab, not 3f2a9c1b7e4d/,
  ],
  [
    "a review of another run (run_id)",
    { approvals: [approved("carol", { run_id: 8999 })] },
    /rule environment-review\).*carol approved run 8999, not 9001/,
  ],
  [
    "a run record at another head SHA than the one promoted",
    { run: { ...workflowRun("bob"), head_sha: OTHER_SHA }, approvals: [review("carol", "approved")] },
    /rule verified-approval\): run 9001 is at commit 0123456789ab, not 3f2a9c1b7e4d being promoted/,
  ],
  [
    "a run record of another run id",
    { run: { ...workflowRun("bob"), id: 8999 }, approvals: [review("carol", "approved")] },
    /rule verified-approval\): the API answered for run 8999, not run 9001/,
  ],
  [
    "a commit answer for another SHA",
    { approvals: [review("carol", "approved")], commit: { ...commit("alice"), sha: OTHER_SHA } },
    /rule verified-approval\): the API answered for commit 0123456789ab/,
  ],
  ...["REJECTED", "Rejected", "CHANGES_REQUESTED", "changes_requested"].map((state): [string, Scene, RegExp] => [
    `a rejection spelled ${state}`,
    { approvals: [review("carol", "approved"), review("dave", state)] },
    /rule rejected-review\): dave rejected the prod deployment/,
  ]),
  [
    "a rejection on the second page of reviews",
    { approvals: [review("carol", "approved"), review("dave", "rejected")], pageSize: 1 },
    /rule rejected-review\): dave rejected/,
  ],
  [
    `more than ${MAX_PAGES} pages of reviews`,
    { approvals: [...staging(MAX_PAGES), review("carol", "approved")], pageSize: 1 },
    new RegExp(`rule verified-approval\\).*more than ${MAX_PAGES} pages of approvals`),
  ],
];

describe("#verified-approval refuses what is not a person's approval of this run and commit", () => {
  let gh: FakeGithub;
  beforeEach(async () => (gh = await fakeGithub()));
  afterEach(() => gh.close());
  const refusal = (rule = PROD) =>
    verifyApproval(ciFor(gh.url), rule, 2_000).then(
      () => assert.fail("the approval passed"),
      (e: Error) => e,
    );

  for (const [what, scene, message] of refusals) {
    it(`refuses ${what}`, async () => {
      gh.scene = { run: workflowRun("bob"), commit: commit("alice"), ...scene };
      assert.match((await refusal()).message, message);
    });
  }

  it("counts an approval written APPROVED, and reads every page (per_page=100) to find it", async () => {
    gh.scene = {
      run: workflowRun("bob"),
      approvals: [...staging(250), { ...review("carol", "approved"), state: "APPROVED" }],
      pageSize: 100,
    };
    const a = await verifyApproval(ciFor(gh.url), PROD, 2_000);
    assert.deepEqual(a.approvers, ["carol"]);
    const pages = gh.requests.filter((r) => r.includes(`/runs/${RUN_ID}/approvals`));
    assert.deepEqual(
      pages.map((r) => new URLSearchParams(r.split("?")[1]).get("page") ?? "1"),
      ["1", "2", "3"],
    );
    assert.ok(
      pages.every((r) => r.includes("per_page=100")),
      pages.join(" "),
    );
  });
});

describe("#verified-approval sends the token to the API's origin only", () => {
  let gh: FakeGithub;
  let elsewhere: TestServer;
  const seen: string[] = [];
  beforeEach(async () => {
    gh = await fakeGithub();
    seen.length = 0;
    elsewhere = await serve((req, res) => {
      seen.push(String(req.headers.authorization ?? "(none)"));
      res.writeHead(200, { "content-type": "application/json" }).end("[]");
    });
  });
  afterEach(async () => {
    await gh.close();
    await elsewhere.close();
  });

  const cases: [string, () => Scene, RegExp][] = [
    [
      "a redirect to another origin",
      () => ({ redirectTo: `${elsewhere.url}/` }),
      /rule verified-approval\).*302: a redirect to another origin \(http:\/\/127\.0\.0\.1:\d+\), not followed; the token is sent to http:\/\/127\.0\.0\.1:\d+ only/,
    ],
    [
      "a next-page link to another origin",
      () => ({
        run: workflowRun("bob"),
        approvals: [review("carol", "approved"), review("dave", "approved")],
        pageSize: 1,
        linkOrigin: elsewhere.url,
      }),
      /rule verified-approval\).*the API pointed to http:\/\/127\.0\.0\.1:\d+, not http:\/\/127\.0\.0\.1:\d+; the token is sent to .* only/,
    ],
  ];
  for (const [what, scene, message] of cases) {
    it(`fails closed on ${what}, and the other origin never sees a request`, async () => {
      gh.scene = scene();
      const e = await verifyApproval(ciFor(gh.url), PROD, 2_000).then(
        () => assert.fail("the approval passed"),
        (err: Error) => err,
      );
      assert.match(e.message, message);
      assert.ok(!e.message.includes(TOKEN), "the token is not in the message");
      assert.deepEqual(seen, []);
    });
  }
});

describe("the Link header", () => {
  const cases: [string | null, string | undefined][] = [
    [
      '<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last"',
      "https://api.github.com/x?page=2",
    ],
    [
      '<https://api.github.com/x?page=1>; rel="prev", <https://api.github.com/x?page=3>; rel="next"',
      "https://api.github.com/x?page=3",
    ],
    ['<https://api.github.com/x?page=1>; rel="first"', undefined],
    [null, undefined],
  ];
  for (const [link, next] of cases)
    it(`finds rel="next" in ${JSON.stringify(link)}`, () => assert.equal(nextLink(link), next));
});
