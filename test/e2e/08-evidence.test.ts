// Change evidence on the real engine and cluster: a staged journey through a dev-like stack (the e2e `local` stack)
// and a prod-like one (`local-prod`, in its own namespace) whose rule asks for a verified four-eyes approval, read
// from a local server playing the GitHub API; then both journals verified and the prod-like one exported.
import { strict as assert } from "assert";
import { dumpDom } from "../automation/commands/chromium";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { deployment, kubectl, nextPatch, SERVICES, Slipway, slipway, STACK, status, theWorld } from "./harness";
import { inCi, PROD, PROD_NAMESPACE, rollbackProd, shipNext, writeProdStack } from "./prodLike";
import { commit, fakeGithub, FakeGithub, review, SHA, TOKEN, workflowRun } from "../automation/release/githubApi";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { BUCKET, CREDS, s3TestServer, type S3TestServer } from "../automation/state/s3server";

/** The prod-like stack's change records of today exported as json, md and html into dir: each format's text. */
async function exportEveryFormat(dir: string): Promise<Record<string, string>> {
  const day = new Date().toISOString().slice(0, 10);
  const texts: Record<string, string> = {};
  for (const format of ["json", "md", "html"]) {
    const file = path.join(dir, `evidence.${format}`);
    const r = await slipway("audit", "export", "--stack", PROD, "--since", day, "--format", format, "--out", file);
    assert.equal(r.code, 0, r.stderr);
    texts[format] = fs.readFileSync(file, "utf8");
    assert.ok(!texts[format].includes(TOKEN), `the job's token appears in the ${format} export`);
    assert.ok(
      !texts[format].includes(theWorld().env.PULUMI_CONFIG_PASSPHRASE ?? "\u0000"),
      `the passphrase appears in the ${format} export`,
    );
  }
  return texts;
}

/** What the test reads of an exported change record. */
interface ExportedRecord {
  kind: string;
  version: string;
  outcome: string;
  approval: { verified: boolean; approvers: string[] };
  commit: string;
  steps: Array<{ weight: number }>;
  updates: Array<{ message: string; result: string }>;
  changes: unknown;
}

/** The exported record of the version's promotion: completed, approved by carol (verified), its steps and updates. */
function assertPromotionRecord(records: ExportedRecord[], version: string, json: string): void {
  const promotion = records.find(
    (r: { kind: string; version: string }) => r.kind === "promote" && r.version === version,
  );
  assert.ok(promotion, `no promotion record of ${version}: ${json.slice(0, 400)}`);
  assert.deepEqual(
    [promotion.outcome, promotion.approval.verified, promotion.approval.approvers, promotion.commit],
    ["completed", true, ["carol"], SHA],
  );
  assert.deepEqual(
    promotion.steps.map((s: { weight: number }) => s.weight),
    [10, 30, 100],
  );
  const updates = promotion.updates as Array<{ message: string; result: string }>;
  assert.equal(updates.length, 4, `one engine update per step and the stable update: ${JSON.stringify(updates)}`);
  for (const u of updates)
    assert.ok(u.result === "succeeded" && u.message.startsWith(`slipway promote ${version}`), JSON.stringify(u));
  const image = JSON.stringify(promotion.changes);
  assert.match(image, new RegExp(`:${version.replace(/\./g, "\\.")}`), "what changed names the new image");
}

/**
 * A second release shipped to the prod-like stack, then rolled back as a GitHub Actions job would: refused while the
 * run's own actor approved it, then done in one update once a second person approved, with a deployment, a job
 * summary and its own change record in a journal that verifies.
 */
async function rollsBackProd(gh: FakeGithub, version: string, dir: string): Promise<void> {
  const bad = await shipNext(gh.url, version);
  gh.scene = { run: workflowRun("bob"), approvals: [review("bob", "approved")], commit: commit("alice") };
  const summary = path.join(dir, "rollback-summary.md");
  const refused = await rollbackProd(gh.url, summary);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /approval refused \(rule four-eyes\)/);
  assert.equal((await deployment("api-gateway-stable", PROD_NAMESPACE)).version, bad, "nothing was rolled back");
  gh.scene = { run: workflowRun("dave"), approvals: [review("erin", "approved")], commit: commit("alice") };
  gh.deployments.length = 0;
  const r = await rollbackProd(gh.url, summary);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual([doc.from, doc.to, doc.status], [bad, version, "completed"]);
  for (const s of SERVICES) assert.equal((await deployment(`${s}-stable`, PROD_NAMESPACE)).version, version);
  const created = gh.deployments.find((c) => c.method === "POST" && c.path.endsWith("/deployments"));
  assert.deepEqual([created?.body.environment, created?.body.ref], [PROD, SHA]);
  const states = gh.deployments.filter((c) => c.path.endsWith("/statuses")).map((c) => c.body.state);
  assert.deepEqual([states[0], states.at(-1)], ["in_progress", "success"]);
  assert.match(fs.readFileSync(summary, "utf8"), new RegExp(`rollback .${PROD}.: COMPLETED`));
  const verify = await slipway("audit", "verify", "--stack", PROD, "--json");
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  const x = JSON.parse((await exportEveryFormat(dir)).json);
  const record = x.records.find((e: ExportedRecord) => e.kind === "rollback" && e.version === version);
  assert.ok(record, "the rollback is its own change record in the export");
  assert.deepEqual(
    [record.outcome, record.approval.verified, record.approval.approvers],
    ["completed", true, ["erin"]],
  );
}

describe("change evidence of a staged journey on the real engine and cluster", function () {
  this.timeout(15 * 60_000);
  let gh: FakeGithub;
  let version = "";
  const out = () => path.join(theWorld().workDir, "evidence");

  before(async () => {
    gh = await fakeGithub({ run: workflowRun("bob"), approvals: [review("bob", "approved")], commit: commit("alice") });
    writeProdStack();
    await kubectl("delete", "namespace", PROD_NAMESPACE, "--ignore-not-found", "--wait=true", "--timeout=180s");
    const r = await slipway("up", "--stack", PROD);
    assert.equal(r.code, 0, `slipway up --stack ${PROD} failed:\n${r.stderr}`);
    fs.mkdirSync(out(), { recursive: true });
  });
  after(async () => {
    await gh?.close();
    if (!process.env.SLIPWAY_E2E_KEEP)
      await kubectl("delete", "namespace", PROD_NAMESPACE, "--ignore-not-found", "--wait=false").catch(() => undefined);
  });

  it("ships the version through the dev-like stack", async () => {
    version = nextPatch((await status()).stableVersion);
    const r = await new Slipway(["promote", "--stack", STACK, "--version", version, "--interval", "1s"]).done;
    assert.equal(r.code, 0, r.stderr);
  });

  it("refuses the prod-like promotion, before any change, when the run's actor approved their own run", async () => {
    const before = await deployment("api-gateway-stable", PROD_NAMESPACE);
    const r = await new Slipway(
      ["promote", "--stack", PROD, "--version", version, "--interval", "1s", "--approved-by", "Anyone"],
      undefined,
      undefined,
      { env: inCi(gh.url) },
    ).done;
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /approval refused \(rule four-eyes\): bob started the run/);
    const after = await deployment("api-gateway-stable", PROD_NAMESPACE);
    assert.equal(after.resourceVersion, before.resourceVersion, "the prod-like stack was not touched");
  });

  it("ships it to the prod-like stack once a second person approved the run's prod environment", async () => {
    gh.scene = { run: workflowRun("bob"), approvals: [review("carol", "approved")], commit: commit("alice") };
    const r = await new Slipway(
      ["promote", "--stack", PROD, "--version", version, "--interval", "1s"],
      undefined,
      undefined,
      { env: inCi(gh.url) },
    ).done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /approved by carol \(verified: prod environment review of run 9001\)/);
    for (const s of SERVICES) assert.equal((await deployment(`${s}-stable`, PROD_NAMESPACE)).version, version);
  });

  it("verifies both journals' hash chains", async () => {
    for (const stack of [STACK, PROD]) {
      const r = await slipway("audit", "verify", "--stack", stack, "--json");
      assert.equal(r.code, 0, `${stack}: ${r.stdout}${r.stderr}`);
      assert.equal(JSON.parse(r.stdout).ok, true);
    }
  });

  it("exports the prod-like change records in every format, the same records, the approval verified, no secret", async () => {
    const texts = await exportEveryFormat(out());
    const x = JSON.parse(texts.json);
    assertPromotionRecord(x.records, version, texts.json);
    assert.equal(x.chain.ok, true);
    for (const r of x.records) assert.ok(texts.md.includes(`(\`${r.id}\`)`), `${r.id} is missing from the Markdown`);
    const dom = dumpDom(path.join(out(), "evidence.html"));
    assert.equal((dom.match(/<tr class="step">/g) ?? []).length, 3);
    assert.match(dom, /carol \(verified: prod environment review of run 9001, four-eyes\)/);
    fs.copyFileSync(path.join(out(), "evidence.md"), path.join(os.tmpdir(), "slipway-e2e-evidence.md"));
  });

  it("rolls the finished prod-like release back in one update once a second person approved, and journals it", () =>
    rollsBackProd(gh, version, out()));
});

/** The third object of the prod-like stack's journal in the bucket, its version changed behind the chain's back. */
async function flipThirdJournalEntry(s3: S3TestServer): Promise<string> {
  const listed = await s3.client.send(
    new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `evidence/.slipway/slipway/${PROD}/journal/` }),
  );
  const key = listed.Contents!.map((o) => o.Key!).sort()[2];
  const text = await (
    await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
  ).Body!.transformToString();
  await s3.client.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: key,
      Body: text.replace(/"version":"(\d+)\.(\d+)\.(\d+)"/, '"version":"9.$2.$3"'),
    }),
  );
  return key;
}

describe("change evidence on an S3 backend (state, journal and lock in an S3-compatible server)", function () {
  this.timeout(15 * 60_000);
  let s3: S3TestServer | undefined;
  let env: NodeJS.ProcessEnv = {};
  const run = (...args: string[]) => new Slipway(args, undefined, undefined, { env }).done;

  before(async () => {
    s3 = await s3TestServer();
    env = {
      ...CREDS,
      PULUMI_BACKEND_URL: `s3://${BUCKET}/evidence?endpoint=${s3.endpoint}&s3ForcePathStyle=true&region=us-east-1`,
    };
    // The prod-like namespace held the file-backend stack of the journey above; this backend starts from nothing.
    await kubectl("delete", "namespace", PROD_NAMESPACE, "--ignore-not-found", "--wait=true", "--timeout=180s");
    const r = await run("up", "--stack", PROD);
    assert.equal(r.code, 0, `slipway up --stack ${PROD} on S3 failed:\n${r.stderr}`);
  });
  after(async () => {
    if (!process.env.SLIPWAY_E2E_KEEP)
      await kubectl("delete", "namespace", PROD_NAMESPACE, "--ignore-not-found", "--wait=false").catch(() => undefined);
  });

  it("keeps the chain intact through a real promotion, and finds a flipped byte in one journal object", async () => {
    const version = nextPatch((await deployment("api-gateway-stable", PROD_NAMESPACE)).version);
    const p = await run(
      "promote",
      "--stack",
      PROD,
      "--version",
      version,
      "--interval",
      "1s",
      "--approved-by",
      "Jane Doe",
    );
    assert.equal(p.code, 0, p.stderr);
    const ok = await run("audit", "verify", "--stack", PROD, "--json");
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const v = JSON.parse(ok.stdout);
    assert.match(v.location, new RegExp(`^s3://${BUCKET}/evidence/\\.slipway/slipway/${PROD}$`));
    assert.ok(v.entries >= 10, `entries: ${v.entries}`);
    const key = await flipThirdJournalEntry(s3!);
    const bad = await run("audit", "verify", "--stack", PROD);
    assert.equal(bad.code, 6, bad.stdout + bad.stderr);
    assert.match(
      bad.stdout,
      new RegExp(`BROKEN at entry 3 of ${v.entries} \\(${key.replace(/\./g, "\\.")}\\): changed`),
    );
    const file = path.join(theWorld().workDir, "evidence-s3.json");
    const x = await run(
      "audit",
      "export",
      "--stack",
      PROD,
      "--since",
      new Date().toISOString().slice(0, 10),
      "--format",
      "json",
      "--out",
      file,
    );
    assert.equal(x.code, 0, x.stderr);
    const exported = JSON.parse(fs.readFileSync(file, "utf8"));
    assert.equal(exported.chain.ok, false);
    const promotion = exported.records.find((r: { kind: string }) => r.kind === "promote");
    assert.deepEqual([promotion.approval.verified, promotion.approval.approvers], [false, ["Jane Doe"]]);
  });
});
