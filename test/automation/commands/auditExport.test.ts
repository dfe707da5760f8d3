// `slipway audit export` over a journal the driver wrote: a promotion, a promotion rolled back by its gates, an abort
// and a remediation; the same records in Markdown, JSON and HTML, the HTML read back by headless Chromium.
import { strict as assert } from "assert";
import { dumpDom } from "./chromium";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { run } from "../../../automation/cli/entry";
import type { UpOptions } from "../../../automation/deps";
import { EventCollector } from "../../../automation/engine/events";
import { baseConfig, FakeEngine, harness, Harness, provider, stagingShipped } from "../fakes";
import { ciFor, commit, fakeGithub, FakeGithub, review, TOKEN, workflowRun } from "../release/githubApi";

const SIG = "4dabf18193072939515e22adb298388d";
const SECRETS = ["hunter2-db-pass", "tok-live-123", "pw-in-url", TOKEN];

/** An engine whose updates report what the real one's events would: an image change, and a Secret's new value. */
class ReportingEngine extends FakeEngine {
  async up(stack: string, opts: UpOptions = {}) {
    const r = await super.up(stack, opts);
    const ev = new EventCollector(stack, () => undefined);
    const image = (v: string) => ({
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: "api-gateway",
                image: `registry.local/slipway/api-gateway:${v}`,
                env: [{ name: "API_TOKEN", value: "tok-live-123" }],
              },
            ],
          },
        },
      },
    });
    ev.handle({
      resourcePreEvent: {
        metadata: {
          op: "update",
          urn: "urn:pulumi:prod::slipway::kubernetes:apps/v1:Deployment::api-gateway-canary",
          type: "kubernetes:apps/v1:Deployment",
          old: { inputs: image("1.0.0") },
          new: { inputs: image("1.4.0") },
          detailedDiff: {
            "spec.template.spec.containers[0].image": {},
            "spec.template.spec.containers[0].env[0].value": {},
          },
        },
      },
    });
    ev.handle({
      resourcePreEvent: {
        metadata: {
          op: "update",
          urn: "urn:pulumi:prod::slipway::kubernetes:core/v1:Secret::data-connection",
          type: "kubernetes:core/v1:Secret",
          old: { inputs: { stringData: { DATABASE_URL: "postgresql://app:old@db" } } },
          new: {
            inputs: {
              stringData: {
                DATABASE_URL: {
                  [SIG]: "1b47061264138c4ac30d75fd1eb44270",
                  value: "postgresql://app:hunter2-db-pass@db",
                },
              },
            },
          },
          detailedDiff: { "stringData.DATABASE_URL": {} },
        },
      },
    });
    return { ...r, changes: ev.changes(), counts: { update: 2, same: 30 } };
  }
}

async function cli(h: Harness, argv: string[]) {
  let out = "";
  let err = "";
  const code = await run(argv, ["dev", "staging", "prod", "local"], async () => h.deps, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
  });
  return { code, out, err };
}

interface Exported {
  gh: FakeGithub;
  h: Harness;
  dir: string;
}

/** A journal the driver wrote: a promotion, one rolled back by its gates, a remediation (built once per file). */
async function driverJournal(): Promise<Exported> {
  const gh = await fakeGithub({
    run: workflowRun("bob"),
    approvals: [review("carol", "approved")],
    commit: commit("alice"),
  });
  const canary = {
    steps: [10, 30, 100],
    interval: "0s",
    timeout: "200ms",
    analysis: [
      {
        provider: "prometheus",
        url: "http://ops:pw-in-url@prometheus.monitoring:9090",
        query: "error_rate",
        max: 0.01,
      },
    ],
  };
  const h = harness(
    new ReportingEngine({
      staging: baseConfig("staging", { "slipway:stableVersion": "1.4.0" }),
      prod: baseConfig("prod", { "slipway:canary": JSON.stringify(canary) }),
    }),
  );
  h.deps.writeFile = (p, t) => fs.promises.writeFile(p, t);
  h.deps.ci = ciFor(gh.url);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-export-"));
  await stagingShipped(h);
  assert.equal((await cli(h, ["promote", "--stack", "prod", "--version", "1.4.0"])).code, 0);
  h.engine.config.set("staging", { ...h.engine.config.get("staging")!, "slipway:stableVersion": "1.5.0" });
  await h.deps.state("staging").append({
    at: "2026-11-21T10:00:00Z",
    promotionId: "s2",
    stack: "staging",
    event: "start",
    action: "promote",
    version: "1.5.0",
  });
  await h.deps.state("staging").append({
    at: "2026-11-21T11:00:00Z",
    promotionId: "s2",
    stack: "staging",
    event: "end",
    action: "promote",
    status: "completed",
  });
  h.deps.providers = () => [
    provider(
      (w) => ({
        provider: "prometheus",
        ok: w < 30,
        detail: w < 30 ? "0.002 <= max 0.01" : "0.04 > max 0.01",
        value: w < 30 ? 0.002 : 0.04,
        durationMs: 3,
      }),
      "prometheus",
    ),
  ];
  assert.equal((await cli(h, ["promote", "--stack", "prod", "--version", "1.5.0"])).code, 3);
  h.deps.ci = undefined;
  h.engine.drift = [
    {
      urn: "urn:pulumi:prod::slipway::kubernetes:apps/v1:Deployment::api-gateway-stable",
      type: "kubernetes:apps/v1:Deployment",
      name: "api-gateway-stable",
      op: "update",
      properties: ["spec.replicas"],
    },
  ];
  assert.equal((await cli(h, ["drift", "--stack", "prod", "--remediate", "--yes"])).code, 0);
  return { gh, h, dir };
}
let journalOnce: Promise<Exported> | undefined;
const ctx = () => (journalOnce ??= driverJournal());

async function exported(format: string): Promise<string> {
  const { h, dir } = await ctx();
  const out = path.join(dir, `evidence.${format}`);
  const r = await cli(h, [
    "audit",
    "export",
    "--stack",
    "prod",
    "--since",
    "2026-11-01",
    "--format",
    format,
    "--out",
    out,
  ]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /journal chain intact/);
  return fs.readFileSync(out, "utf8");
}

describe("slipway audit export: the records", function () {
  this.timeout(120_000);
  before(() => ctx());

  it("writes one record per promotion, rollback and remediation, with who, approval, commit, steps and outcome", async () => {
    const x = JSON.parse(await exported("json"));
    assert.deepEqual(
      x.records.map((r: { kind: string; outcome: string }) => `${r.kind}:${r.outcome}`),
      ["promote:completed", "promote:rolled-back", "rollback:rolled-back", "remediate:completed"],
    );
    const [ok, failed] = x.records;
    assert.deepEqual(
      [ok.startedBy, ok.approval.verified, ok.approval.approvers, ok.commit, ok.run.id],
      ["bob", true, ["carol"], ciFor("").sha, "9001"],
    );
    assert.deepEqual(
      ok.steps.map((s: { weight: number; ok: boolean }) => `${s.weight}:${s.ok}`),
      ["10:true", "30:true", "100:true"],
    );
    const { durationMs: _ms, ...verdict } = failed.steps.at(-1).verdicts[0];
    assert.deepEqual(verdict, {
      gate: "prometheus",
      ok: false,
      value: 0.04,
      threshold: 0.01,
      detail: "0.04 > max 0.01",
    });
    assert.equal(
      ok.changes[0].summary.changes[0].values["spec.template.spec.containers[0].image"].new,
      "registry.local/slipway/api-gateway:1.4.0",
    );
    assert.equal(x.chain.ok, true);
  });

  it("carries the same records in Markdown", async () => {
    const md = await exported("md");
    const x = JSON.parse(await exported("json"));
    assert.equal((md.match(/^## /gm) ?? []).length, x.records.length);
    for (const r of x.records) assert.ok(md.includes(`(\`${r.id}\`)`), `${r.id} missing from the Markdown`);
    assert.match(md, /\| Approved by \| carol \(verified: prod environment review of run 9001, four-eyes\) \|/);
    assert.match(
      md,
      /\| 2 \| 30% \| .* \| FAIL \| prometheus FAIL value 0\.04 \(threshold 0\.01\): 0\.04 &gt; max 0\.01 \|/,
    );
    assert.match(
      md,
      /`spec.template.spec.containers\[0\].image: "registry.local\/slipway\/api-gateway:1.0.0" -> "registry.local\/slipway\/api-gateway:1.4.0"`/,
    );
  });
});

describe("slipway audit export: secrets and the HTML page", function () {
  this.timeout(120_000);
  before(() => ctx());
  after(async () => (await ctx()).gh.close());

  it("lets no secret into any format", async () => {
    for (const f of ["json", "md", "html"]) {
      const text = await exported(f);
      for (const s of SECRETS) assert.ok(!text.includes(s), `${s} appears in the ${f} export`);
      assert.ok(text.includes("[secret]"), `${f}: the masked values are still listed as changed`);
    }
  });

  it("writes a self-contained HTML page that headless Chromium renders with each promotion's steps and timeline", async () => {
    const html = await exported("html");
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|url\(/i, "nothing is fetched");
    const file = path.join((await ctx()).dir, "evidence.html");
    const dom = dumpDom(file);
    const steps = dom.match(/<tr class="step">/g) ?? [];
    assert.equal(steps.length, 5, "3 steps of the first promotion and 2 of the rolled-back one");
    assert.equal((dom.match(/<svg class="timeline"/g) ?? []).length, 2);
    assert.match(dom, /<circle class="pass"/);
    assert.match(dom, /<path class="fail"/);
    assert.match(dom, /Journal chain: intact/);
  });
});
