import * as assert from "assert";
import { unknownCheckingProxy } from "@pulumi/policy";
import { containsUnknown, get, list, unwrap, UNKNOWN } from "../../policies/lib/values";
import { COMPUTED } from "./helpers";

describe("reading properties that may be computed", () => {
  const props = { spec: { replicas: 3, image: COMPUTED, containers: [{ name: "a" }, COMPUTED] }, tags: COMPUTED };

  for (const [how, view] of [
    ["through the engine's proxy", unknownCheckingProxy(props)],
    ["on the plain target", unwrap(unknownCheckingProxy(props))],
  ] as const) {
    describe(how, () => {
      it("reads known values", () => assert.strictEqual(get(view, "spec", "replicas"), 3));
      it("reads missing values as undefined", () =>
        assert.strictEqual(get(view, "spec", "template", "spec"), undefined));
      it("reads a computed value as UNKNOWN", () => assert.strictEqual(get(view, "spec", "image"), UNKNOWN));
      it("reads below a computed value as UNKNOWN", () => assert.strictEqual(get(view, "tags", "team"), UNKNOWN));
      it("reads a list with a computed element", () => {
        const items = list(view, "spec", "containers");
        assert.ok(Array.isArray(items));
        assert.strictEqual(get(items[0], "name"), "a");
        assert.strictEqual(items[1], UNKNOWN);
      });
      it("reads a computed list as UNKNOWN", () => assert.strictEqual(list(view, "tags"), UNKNOWN));
    });
  }

  it("unwraps the engine's proxy to its plain target", () => {
    assert.strictEqual(unwrap(unknownCheckingProxy(props)), props);
    assert.strictEqual(unwrap(props), props);
  });
});

describe("containsUnknown", () => {
  it("finds a computed value at any depth, in objects and arrays", () => {
    assert.strictEqual(
      containsUnknown({ spec: { template: { spec: { containers: [{ name: "a" }, { image: COMPUTED }] } } } }),
      true,
    );
    assert.strictEqual(containsUnknown(COMPUTED), true);
  });
  it("finds a computed value through the engine's proxy when it cannot be unwrapped", () => {
    const proxied = unknownCheckingProxy({ spec: { image: COMPUTED } });
    assert.strictEqual(containsUnknown(proxied), true);
  });
  it("is false when every value is known", () => {
    assert.strictEqual(
      containsUnknown({
        spec: { replicas: 3, containers: [{ name: "a", ports: [{ containerPort: 80 }] }], empty: null },
      }),
      false,
    );
  });
});
