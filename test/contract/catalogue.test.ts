// Any system, not one: the code names no service; the default catalogue's data file is the only place that does.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { DEFAULT_CATALOGUE } from "../../contract/defaultCatalogue";
import { SERVICE_NAMES } from "../../contract/release";

const ROOT = path.resolve(__dirname, "..", "..");
const CODE = ["automation", "bench", "components", "contract", "policies", "stacks", "tools", "bin"];
const DATA_FILE = path.join("contract", "defaultCatalogue.ts");

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : sources(rel);
    return /\.(ts|js|json|sh)$/.test(e.name) ? [rel] : [];
  });
}

describe("the default catalogue as data", () => {
  it("gives the contract its service names", () => {
    assert.deepEqual(
      SERVICE_NAMES,
      DEFAULT_CATALOGUE.map((s) => s.name),
    );
    assert.equal(SERVICE_NAMES.length, 5);
  });

  it("is the only code that names one of its services", () => {
    const named = CODE.flatMap(sources)
      .filter((f) => f !== DATA_FILE)
      .flatMap((f) => {
        const text = fs.readFileSync(path.join(ROOT, f), "utf8");
        return SERVICE_NAMES.filter((s) => text.includes(s)).map((s) => `${f}: ${s}`);
      });
    assert.deepEqual(named, []);
  });
});
