import { strict as assert } from "assert";
import { mask, SECRET } from "../../automation/secrets";
import { show } from "../../automation/report/format";

describe("the secret masker", () => {
  const sig = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "hunter2" };

  it("replaces Pulumi secret values wherever they sit", () => {
    assert.deepEqual(mask({ a: [1, sig], b: { c: sig } }), { a: [1, SECRET], b: { c: SECRET } });
  });
  it("replaces fields whose name says secret, whatever the value", () => {
    assert.deepEqual(mask({ env: { DATABASE_PASSWORD: "p", REGION: "eu" }, apiToken: "t" }), {
      env: { DATABASE_PASSWORD: SECRET, REGION: "eu" },
      apiToken: SECRET,
    });
    assert.equal(mask("postgres://u:p@h/db", "data.connectionString"), SECRET);
  });
  it("masks the same way for text reports and JSON", () => {
    const value = { password: "p", image: "api:1.0.1" };
    assert.equal(show(value, true), JSON.stringify(mask(value)));
    assert.doesNotMatch(show(value, true), /"p"/);
  });
});
