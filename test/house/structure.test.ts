import { strict as assert } from "assert";
import * as path from "path";
import { checkStructure } from "../../tools/structure";

describe("the house rules (docs/design.md, House style)", () => {
  const breaches = checkStructure(path.resolve(__dirname, "..", ".."));
  const of = (rule: string) => breaches.filter((b) => b.rule === rule).map((b) => `${b.where}: ${b.detail}`);

  it("has no import circle, type imports included", () => assert.deepEqual(of("circle"), []));
  it("keeps every source file at 300 lines or fewer", () => assert.deepEqual(of("file-size"), []));
  it("keeps every function at 80 lines or fewer", () => assert.deepEqual(of("function-size"), []));
  it("never lets automation/ import tools/, nor stacks/, components/ or policies/ import automation/", () =>
    assert.deepEqual(of("layer"), []));
});
