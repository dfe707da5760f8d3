import { strict as assert } from "assert";
import { type Figures, report, targetLines } from "../../bench/engine/figures";
import { record } from "../../bench/engine/measure";

/** Three runs of each figure whose median is the given number of milliseconds. */
const runs = (median: number) => [median - 100, median, median + 100];

function figures(medians: Partial<Record<Exclude<keyof Figures, "drifted">, number>>): Figures {
  const at = (key: Exclude<keyof Figures, "drifted">) => runs(medians[key] ?? 1000);
  return {
    targeted: at("targeted"),
    full: at("full"),
    toZero: at("toZero"),
    complete: at("complete"),
    switchBack: at("switchBack"),
    noops: at("noops"),
    unsparedNoops: at("unsparedNoops"),
    bare: at("bare"),
    cold: at("cold"),
    previews: at("previews"),
    unsparedPreviews: at("unsparedPreviews"),
    drifts: at("drifts"),
    cliStart: at("cliStart"),
    patch: at("patch"),
    drifted: 0,
  };
}

const setting = { services: 3, runs: 3, load: "0.50 0.40 0.30", cores: 2 };
const line = (out: string[], start: string) => {
  const found = out.find((l) => l.trimStart().startsWith(start));
  assert.ok(found, `no line starting "${start}" in:\n${out.join("\n")}`);
  return found;
};

describe("bench:engine figures", () => {
  it("prints beside each figure its ratio against the plain engine-started update of the same run", () => {
    const f = figures({ unsparedNoops: 2000, targeted: 1000, full: 3000, patch: 100 });
    const out = report(f, setting);
    assert.match(line(out, "weight step, targeted update"), / 0\.50x plain update/);
    assert.match(line(out, "weight step, full update"), / 1\.50x plain update/);
    assert.match(line(out, "no-op update, program and pack started by the engine"), / 1\.00x plain update/);
    assert.match(line(out, "saved by the spares per update"), / 0\.50x plain update/);
  });

  it("keeps every figure as before: median, ratio to the floor, CPU time and the runs", () => {
    const f = figures({ targeted: 1200, patch: 100 });
    record(f.targeted, 5, 400);
    const row = line(report(f, setting), "weight step, targeted update");
    assert.match(row, /^ {2}weight step, targeted update +1\.20 s +12\.0x kubectl/);
    assert.match(row, /cpu +400 ms/);
    assert.match(row, /target <= 2\.50 s: met {2}\[1\.10 s, 1\.20 s, 1\.30 s, 5 ms\]$/);
    assert.match(line(report(f, setting), "weight step, full update"), /cpu +- {2}\[/);
  });

  const cases: Array<[string, keyof Figures, number, string]> = [
    ["weight step, targeted update", "targeted", 2400, "met"],
    ["weight step, targeted update", "targeted", 2600, "NOT met"],
    ["rollback -> weight 0 in the cluster", "toZero", 2500, "met"],
    ["rollback -> weight 0 in the cluster", "toZero", 3000, "NOT met"],
    ["preview", "previews", 900, "met"],
    ["preview", "previews", 2501, "NOT met"],
  ];
  for (const [name, key, median, verdict] of cases) {
    it(`prints "${name}: target <= 2.5 s: ${verdict}" for a median of ${median} ms`, () => {
      const out = targetLines(figures({ [key]: median }));
      assert.equal(out.length, 3);
      assert.ok(out.includes(line(out, `${name}: target <= 2.5 s: ${verdict} (`)));
      assert.deepEqual(out, report(figures({ [key]: median }), setting).slice(-3));
    });
  }
});
