// Migration: the default catalogue written out as a stack's own catalogue registers exactly what the stack registered
// without one, so a stack moves to the general form with no change to any resource.
import { strict as assert } from "assert";
import { DEFAULT_CATALOGUE } from "../../contract/defaultCatalogue";
import { runStack, stackFileConfig } from "../helpers/stack";
import type { MockRecord } from "../helpers/mocks";

/** The default catalogue as a list in a prod stack file: the seeds' numbers with prod's replica floor of 3. */
const WRITTEN_OUT = DEFAULT_CATALOGUE.map((e) => ({
  name: e.name,
  ...e.sizing,
  minReplicas: Math.max(3, e.sizing.minReplicas),
  reaches: e.reaches,
  ...(e.entry ? { entry: true } : {}),
}));

function registered(m: MockRecord) {
  return m.resources
    .map((r) => ({ type: r.type, name: r.name, urn: r.urn, inputs: r.inputs, deps: [...r.dependencies].sort() }))
    .sort((a, b) => a.urn.localeCompare(b.urn));
}

describe("migration to a catalogue of the stack's own", () => {
  it("registers every resource of prod byte for byte as the default catalogue does, with a release in progress", async () => {
    const release = { "slipway:canaryVersion": "1.1.0", "slipway:canaryWeight": "30" };
    const file = { ...stackFileConfig("prod"), ...release };
    const before = registered((await runStack("prod", file)).mocks);
    const after = registered(
      (await runStack("prod", { ...file, "slipway:services": JSON.stringify(WRITTEN_OUT) })).mocks,
    );
    assert.ok(before.length > 100);
    assert.equal(JSON.stringify(after), JSON.stringify(before));
  });
});
