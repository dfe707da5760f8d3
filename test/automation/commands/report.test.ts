// `slipway report`: delivery figures of one stack or all from the verified journal, in text, Markdown, JSON and an
// HTML page that headless Chromium reads; a tampered journal is refused with exit 6 and nothing is written.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { run } from "../../../automation/cli/entry";
import { FakeEngine, harness, Harness } from "../fakes";
import { journalOf } from "../report/deliveryFixtures";
import { dumpDom } from "./chromium";

async function cli(h: Harness, argv: string[]) {
  let out = "";
  let err = "";
  const code = await run(argv, ["dev", "staging", "prod", "local"], async () => h.deps, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
  });
  return { code, out, err };
}

const COMMIT = "0123456789abcdef0123456789abcdef01234567";

async function withJournal(): Promise<Harness> {
  const h = harness(new FakeEngine({}));
  h.deps.writeFile = (p, t) => fs.promises.writeFile(p, t);
  h.deps.clock.now = () => Date.parse("2026-11-16T00:00:00Z");
  h.deps.commitTime = async (sha) => (sha === COMMIT ? "2026-11-02T08:00:00Z" : undefined);
  const dev = journalOf("dev", [
    ["p1", "2026-11-02T10:00:00Z", "2026-11-02T11:00:00Z", "completed", COMMIT],
    ["p2", "2026-11-09T10:00:00Z", "2026-11-09T11:00:00Z", "rolled-back"],
    ["p3", "2026-11-10T10:00:00Z", "2026-11-10T12:00:00Z", "completed", "feedfacefeedface"],
  ]);
  const prod = journalOf("prod", [["p9", "2026-11-12T10:00:00Z", "2026-11-12T10:30:00Z", "held"]]);
  for (const e of dev) await h.deps.state("dev").append(e);
  for (const e of prod) await h.deps.state("prod").append(e);
  return h;
}

describe("slipway report: delivery figures", function () {
  this.timeout(120_000);

  it("prints the four figures of a stack, lead time from the commit where the repository has it", async () => {
    const h = await withJournal();
    const r = await cli(h, ["report", "--stack", "dev", "--since", "2026-11-02", "--until", "2026-11-15"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Promotions: 3 \(2 completed, 1 rolled back, 0 held\)/);
    assert.match(r.out, /Deployment frequency: 1 per week/);
    assert.match(r.out, /Change failure rate: 33%/);
    assert.match(
      r.out,
      /Lead time for changes: median .* over 2 \(1 from the commit's time, 1 from the promotion's start\)/,
    );
    assert.match(r.out, /Time to restore: median 25 h 0 min/);
  });

  it("covers every stack without --stack, in JSON and Markdown", async () => {
    const h = await withJournal();
    const j = await cli(h, ["report", "--format", "json", "--since", "2026-11-01"]);
    const x = JSON.parse(j.out);
    assert.deepEqual(x.stacks, ["dev", "staging", "prod", "local"]);
    assert.deepEqual([x.overall.promotions, x.overall.held, x.perStack.prod.changeFailureRate], [4, 1, 1]);
    const m = await cli(h, ["report", "--format", "markdown", "--since", "2026-11-01"]);
    assert.match(m.out, /^# Delivery: stacks dev, staging, prod, local/);
    assert.match(m.out, /\| Change failure rate \| 50% .* \| 33% .* \| - \| 100% .* \| - \|/);
    assert.match(m.out, /\| 2026-11-09 \| 1 \| 2 \|/);
  });

  it("writes an HTML page Chromium renders: the figures, a per-week chart and no external asset", async () => {
    const h = await withJournal();
    const out = path.join(h.dir, "delivery.html");
    const r = await cli(h, ["report", "--stack", "dev", "--since", "2026-11-02", "--format", "html", "--out", out]);
    assert.equal(r.code, 0, r.err);
    const page = fs.readFileSync(out, "utf8");
    assert.doesNotMatch(page, /<script|<link|src=|href=/);
    const dom = dumpDom(out);
    assert.match(dom, /<h1>Delivery: stack dev<\/h1>/);
    assert.equal((dom.match(/<tr class="figure">/g) ?? []).length, 5);
    assert.equal((dom.match(/<rect class="done"/g) ?? []).length, 2);
    assert.match(dom, /<title>week of 2026-11-09: 1 completed, 1 failed<\/title>/);
  });

  it("refuses a tampered journal with exit 6 and writes nothing", async () => {
    const h = await withJournal();
    const file = path.join(h.dir, ".slipway", "slipway", "dev", "journal.jsonl");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('"rolled-back"', '"completed"'));
    const out = path.join(h.dir, "d.md");
    const r = await cli(h, ["report", "--stack", "dev", "--format", "markdown", "--out", out]);
    assert.equal(r.code, 6);
    assert.match(r.out, /dev: journal chain BROKEN \(changed, entry 4: .*\): no report from a tampered journal/);
    assert.equal(fs.existsSync(out), false);
  });

  const refusals: Array<[string[], RegExp]> = [
    [["--format", "pdf"], /--format "pdf" is not allowed: use text, markdown, json or html/],
    [["--format", "html"], /--format html needs --out/],
    [["--since", "2026-02-30"], /--since "2026-02-30" is not allowed: no such day/],
    [["--since", "2026-11-10", "--until", "2026-11-01"], /--until is before --since/],
  ];
  for (const [args, message] of refusals)
    it(`refuses ${args.join(" ")} with exit 1 naming the fix`, async () => {
      const h = await withJournal();
      const r = await cli(h, ["report", ...args]);
      assert.equal(r.code, 1);
      assert.match(r.err, message);
    });
});
