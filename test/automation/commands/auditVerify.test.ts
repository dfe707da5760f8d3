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
