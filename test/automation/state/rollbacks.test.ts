// Reading rollbacks back from the journal: the good versions, the default target, the snapshot before a release.
import { strict as assert } from "assert";
import { completedVersions, goodVersions, previousGood, snapshotBefore } from "../../../automation/state/rollbacks";
import type { JournalEntry } from "../../../automation/state/store";

let n = 0;
const at = () => `2026-11-01T00:00:${String(n++ % 60).padStart(2, "0")}.000Z`;
const e = (promotionId: string, x: Partial<JournalEntry>): JournalEntry =>
  ({ at: at(), promotionId, stack: "dev", event: "start", action: "promote", ...x }) as JournalEntry;
const promoted = (id: string, version: string, status = "completed", services?: string[]) => [
  e(id, { version, services }),
  e(id, { event: "end", status: status as JournalEntry["status"], version }),
];
const rolledBack = (id: string, from: string, to: string, applied = true) => [
  e(id, { action: "rollback", version: to, stableVersion: from }),
  ...(applied ? [e(id, { event: "outcome", action: "rollback", ok: true, version: to })] : []),
  e(id, { event: "end", action: "rollback", status: applied ? "completed" : "failed", version: to }),
];

describe("the versions a rollback may return to", () => {
  const cases: [string, JournalEntry[], string, string[], string | undefined][] = [
    [
      "completed promotions, oldest first",
      [...promoted("a", "1.0.0"), ...promoted("b", "1.1.0")],
      "1.1.0",
      ["1.0.0", "1.1.0"],
      "1.0.0",
    ],
    [
      "a rolled-back promotion does not count",
      [...promoted("a", "1.0.0"), ...promoted("b", "1.1.0", "rolled-back")],
      "1.0.0",
      ["1.0.0"],
      undefined,
    ],
    [
      "a promotion of some services only does not count",
      [...promoted("a", "1.0.0"), ...promoted("b", "1.1.0", "completed", ["api-gateway"])],
      "1.0.0",
      ["1.0.0"],
      undefined,
    ],
    [
      "a rollback drops the version it backed out",
      [
        ...promoted("a", "1.0.0"),
        ...promoted("b", "1.1.0"),
        ...promoted("c", "1.2.0"),
        ...rolledBack("r", "1.2.0", "1.1.0"),
      ],
      "1.1.0",
      ["1.0.0", "1.1.0"],
      "1.0.0",
    ],
    [
      "a rollback that never applied changes nothing",
      [...promoted("a", "1.0.0"), ...promoted("b", "1.1.0"), ...rolledBack("r", "1.1.0", "1.0.0", false)],
      "1.1.0",
      ["1.0.0", "1.1.0"],
      "1.0.0",
    ],
    [
      "a version promoted again after its rollback counts again",
      [
        ...promoted("a", "1.0.0"),
        ...promoted("b", "1.1.0"),
        ...rolledBack("r", "1.1.0", "1.0.0"),
        ...promoted("c", "1.1.0"),
      ],
      "1.1.0",
      ["1.0.0", "1.1.0"],
      "1.0.0",
    ],
  ];
  for (const [what, entries, serving, good, target] of cases)
    it(`${what}: good ${good.join(", ")}, default target ${target ?? "none"}`, () => {
      assert.deepEqual(goodVersions(entries), good);
      assert.equal(previousGood(entries, serving), target);
    });

  it("lists every version a promotion completed, for --to", () => {
    const entries = [...promoted("a", "1.0.0"), ...promoted("b", "1.1.0"), ...rolledBack("r", "1.1.0", "1.0.0")];
    assert.deepEqual(completedVersions(entries), ["1.0.0", "1.1.0"]);
  });

  it("finds the snapshot journaled in the last completed promotion of a version", () => {
    const entries = [
      e("a", { version: "1.1.0" }),
      e("a", { event: "outcome", action: "backup", ok: true, detail: "snapshot slipway-dev-release-1-1-0" }),
      e("a", { event: "end", status: "completed" }),
    ];
    assert.deepEqual(snapshotBefore(entries, "1.1.0"), { snapshotId: "slipway-dev-release-1-1-0", promotionId: "a" });
    assert.equal(snapshotBefore(entries, "1.0.0"), undefined);
  });
});
