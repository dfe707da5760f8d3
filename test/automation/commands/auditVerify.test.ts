import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { run } from "../../../automation/cli/entry";
import { baseConfig, FakeEngine, harness, Harness } from "../fakes";

async function cli(h: Harness, argv: string[]) {
  let out = "";
  let err = "";
  const code = await run(argv, ["dev", "staging", "prod", "local"], async () => h.deps, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
  });
  return { code, out, err };
}

describe("slipway audit verify", () => {
  it("exits 0 after a promotion: the journal the driver wrote is intact", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    assert.equal((await cli(h, ["promote", "--stack", "local", "--version", "1.4.0"])).code, 0);
    const r = await cli(h, ["audit", "verify", "--stack", "local"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^local: journal intact: 10 entries, head [0-9a-f]{64}\n$/);
  });

  it("exits 6 naming the first tampered entry, also in --json", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    await cli(h, ["promote", "--stack", "local", "--version", "1.4.0"]);
    const file = path.join(h.dir, ".slipway", "slipway", "local", "journal.jsonl");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('"weight":30', '"weight":10'));
    const r = await cli(h, ["audit", "verify", "--stack", "local"]);
    assert.equal(r.code, 6);
    assert.match(
      r.out,
      /local: journal chain BROKEN at entry 4 of 10 \(journal.jsonl:4\): changed: its content no longer matches its hash/,
    );
    const j = JSON.parse((await cli(h, ["audit", "verify", "--stack", "local", "--json"])).out);
    assert.deepEqual([j.ok, j.broken.index, j.broken.problem], [false, 3, "changed"]);
  });

  it("checks the journal head a promotion printed, which a rewritten chain no longer contains", async () => {
    const h = harness(new FakeEngine({ local: baseConfig("local") }));
    const head = JSON.parse(
      (await cli(h, ["promote", "--stack", "local", "--version", "1.4.0", "--json"])).out,
    ).journalHead;
    assert.match(head, /^[0-9a-f]{64}$/);
    assert.equal((await cli(h, ["audit", "verify", "--stack", "local", "--head", head])).code, 0);
    const r = await cli(h, ["audit", "verify", "--stack", "local", "--head", "0".repeat(64)]);
    assert.equal(r.code, 6);
    assert.match(r.out, /rewritten: the head 000000000000 kept outside the backend is not in the chain/);
    assert.match(
      (await cli(h, ["audit", "verify", "--stack", "local", "--head", "abc"])).err,
      /--head "abc" is not allowed/,
    );
  });

  it("refuses without --stack before reading anything", async () => {
    const r = await cli(harness(new FakeEngine({})), ["audit", "verify"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /--stack is required/);
  });
});

const journalOf = (h: Harness, stack: string) => path.join(h.dir, ".slipway", "slipway", stack, "journal.jsonl");

async function promoted() {
  const h = harness(new FakeEngine({ local: baseConfig("local") }));
  assert.equal((await cli(h, ["promote", "--stack", "local", "--version", "1.4.0"])).code, 0);
  return h;
}

describe("slipway audit verify against the release record", () => {
  it("exits 6 when the journal's tail was cut off behind the release record's last version", async () => {
    const h = await promoted();
    const lines = fs
      .readFileSync(journalOf(h, "local"), "utf8")
      .split("\n")
      .filter((l) => l !== "");
    fs.writeFileSync(
      journalOf(h, "local"),
      lines
        .slice(0, 7)
        .map((l) => `${l}\n`)
        .join(""),
    );
    const r = await cli(h, ["audit", "verify", "--stack", "local"]);
    assert.equal(r.code, 6, r.err);
    assert.match(
      r.out,
      /BROKEN at entry 7 of 7 .*: truncated: release record version 5 \(.*\) was written after entry 8, but the journal ends at entry 7: its tail was cut off/,
    );
  });

  it("exits 6 when the journal was deleted while release record versions remain", async () => {
    const h = await promoted();
    fs.rmSync(journalOf(h, "local"));
    const r = await cli(h, ["audit", "verify", "--stack", "local", "--json"]);
    assert.equal(r.code, 6, r.err);
    const j = JSON.parse(r.out);
    assert.deepEqual([j.ok, j.broken.problem], [false, "deleted"]);
    assert.match(
      j.broken.detail,
      /the journal is empty, but release record version 2 .* was written after its entry 2/,
    );
    assert.match(
      (await cli(h, ["audit", "verify", "--stack", "local"])).out,
      /^local: journal chain BROKEN: deleted: the journal is empty, but release record version 2 .*: the journal was deleted\n$/,
    );
  });
});

describe("slipway audit verify: replaced entries and a torn line", () => {
  it("exits 6 when entries after a record version's mark were replaced by others", async () => {
    const h = await promoted();
    const file = journalOf(h, "local");
    const lines = fs
      .readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l !== "");
    fs.writeFileSync(
      file,
      lines
        .slice(0, 1)
        .map((l) => `${l}\n`)
        .join(""),
    );
    const state = h.deps.state("local");
    for (let i = 0; i < 9; i++)
      await state.append({
        at: "2026-11-22T09:00:00Z",
        promotionId: "x",
        stack: "local",
        event: "outcome",
        action: "step",
      });
    const r = await cli(h, ["audit", "verify", "--stack", "local"]);
    assert.equal(r.code, 6);
    assert.match(
      r.out,
      /rewritten: release record version 2 .* saw entry 2 with hash [0-9a-f]{12}, which is not the entry there now/,
    );
  });

  it("completes a promotion after a torn last journal line, keeps the torn bytes beside, and still verifies", async () => {
    const h = await promoted();
    fs.appendFileSync(journalOf(h, "local"), '{"at":"2026-11-22T08:00:01Z","promotionId":"p9","sta');
    assert.equal((await cli(h, ["promote", "--stack", "local", "--version", "1.5.0"])).code, 0);
    const dir = path.dirname(journalOf(h, "local"));
    const aside = fs.readdirSync(dir).filter((n) => n.startsWith("journal.torn-"));
    assert.equal(
      fs.readFileSync(path.join(dir, aside[0]), "utf8"),
      '{"at":"2026-11-22T08:00:01Z","promotionId":"p9","sta',
    );
    const r = await cli(h, ["audit", "verify", "--stack", "local"]);
    assert.equal(r.code, 0, r.out);
  });
});

describe("admission reads only a verified journal", () => {
  it("refuses staging while dev's journal does not verify, naming slipway audit verify --stack dev; admits it once restored", async () => {
    const h = harness(new FakeEngine({ dev: baseConfig("dev"), staging: baseConfig("staging") }));
    assert.equal((await cli(h, ["promote", "--stack", "dev", "--version", "1.4.0"])).code, 0);
    const file = journalOf(h, "dev");
    const original = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, original.replace('"weight":30', '"weight":35'));
    const r = await cli(h, ["promote", "--stack", "staging", "--version", "1.4.0"]);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /staging is admitted on dev's journal, which does not verify \(changed at journal\.jsonl:\d+: .*\): run slipway audit verify --stack dev, restore that journal, then promote again/,
    );
    assert.equal(h.engine.calls.filter((c) => c.op === "up" && c.stack === "staging").length, 0, "nothing ran");
    fs.writeFileSync(file, original);
    const ok = await cli(h, ["promote", "--stack", "staging", "--version", "1.4.0"]);
    assert.equal(ok.code, 0, ok.err);
  });
});
