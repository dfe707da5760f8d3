// A torn last journal line (a write cut short by a killed driver) neither hides the next entry nor loses anything:
// reading leaves it out and says so; the next append moves its bytes to journal.torn-<time> beside the journal, says
// so, and continues the hash chain from the last intact entry.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { verifyChain } from "../../../automation/state/chain";
import { FileStackState } from "../../../automation/state/file";
import type { JournalEntry } from "../../../automation/state/store";

const entry = (step: number): JournalEntry => ({
  at: `2026-12-01T10:00:0${step}Z`,
  promotionId: "p1",
  stack: "dev",
  event: "outcome",
  action: "step",
  step,
  ok: true,
});

async function tornJournal(cut: (line: string) => string, detail?: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-torn-"));
  const warnings: string[] = [];
  const state = new FileStackState(dir, "h", undefined, (m) => warnings.push(m));
  for (let i = 1; i <= 3; i++) await state.append({ ...entry(i), detail });
  const file = path.join(dir, "journal.jsonl");
  const whole = fs.readFileSync(file, "utf8");
  const lines = whole.split("\n").filter((l) => l !== "");
  const torn = cut(lines[2]);
  fs.writeFileSync(file, `${lines[0]}\n${lines[1]}\n${torn}`);
  return { dir, file, state, warnings, torn };
}

describe("#torn-journal: a last line cut short", () => {
  it("reads the intact entries and warns naming the journal, the torn bytes left out", async () => {
    const { state, warnings, file } = await tornJournal((l) => l.slice(0, 40));
    assert.deepEqual(
      (await state.read()).map((e) => e.step),
      [1, 2],
    );
    assert.equal(warnings.length, 1);
    assert.ok(warnings[0].includes(`the journal ${file} ends in a torn line (40 bytes after entry 2`), warnings[0]);
    assert.equal(verifyChain(await state.records()).ok, true, "the intact entries still verify");
  });

  it("moves the torn bytes to journal.torn-<time> on the next append and continues the chain from entry 2", async () => {
    const { dir, state, warnings, torn } = await tornJournal((l) => l.slice(0, 40));
    await state.append(entry(4));
    const aside = fs.readdirSync(dir).filter((n) => n.startsWith("journal.torn-"));
    assert.equal(aside.length, 1);
    assert.equal(fs.readFileSync(path.join(dir, aside[0]), "utf8"), torn, "nothing lost: the torn bytes kept whole");
    assert.match(
      warnings.at(-1)!,
      new RegExp(`moved those bytes to .*${aside[0]} and continued the chain from entry 2`),
    );
    assert.deepEqual(
      (await state.read()).map((e) => e.step),
      [1, 2, 4],
    );
    const v = verifyChain(await state.records());
    assert.deepEqual([v.ok, v.entries], [true, 3]);
  });

  it("keeps a last entry whose newline alone was lost, and appends the next on a line of its own", async () => {
    const { dir, state, warnings } = await tornJournal((l) => l);
    await state.append(entry(4));
    assert.deepEqual(
      (await state.read()).map((e) => e.step),
      [1, 2, 3, 4],
    );
    assert.deepEqual(warnings, []);
    assert.equal(fs.readdirSync(dir).filter((n) => n.startsWith("journal.torn-")).length, 0);
    assert.equal(verifyChain(await state.records()).ok, true);
  });

  it("counts bytes, not characters, when it cuts the journal back (a torn multi-byte line)", async () => {
    const { state } = await tornJournal((l) => l.slice(0, 30), "élan — über");
    await state.append(entry(4));
    await state.append(entry(5));
    assert.deepEqual(
      (await state.read()).map((e) => e.step),
      [1, 2, 4, 5],
    );
    assert.equal(verifyChain(await state.records()).ok, true);
  });
});
