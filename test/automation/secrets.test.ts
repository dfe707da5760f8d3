import { strict as assert } from "assert";
import { isSecretPath, mask, redactAll, scrubText, SECRET, SecretSet } from "../../automation/secrets";
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

describe("the secret masker: by key, by shape, by value", () => {
  const NAMES = ["password", "DB_PASSWORD", "apiKey", "api_key", "x-api-key", "token", "GITHUB_TOKEN", "secret"];
  const MORE = [
    "clientSecret",
    "privateKey",
    "private_key",
    "authorization",
    "Cookie",
    "set-cookie",
    "AWS_ACCESS_KEY_ID",
  ];
  for (const name of [...NAMES, ...MORE])
    it(`judges a value named ${name} secret, as a field and as an env entry`, () => {
      assert.equal(isSecretPath(name), true);
      const { value } = redactAll({ [name]: "Sekrit-4242", env: [{ name, value: "Sekrit-4343" }] });
      assert.deepEqual(value, { [name]: SECRET, env: [{ name, value: SECRET }] });
    });

  for (const name of ["image", "replicas", "region", "name", "host"])
    it(`leaves a value named ${name} alone`, () => assert.equal(isSecretPath(name), false));

  const SHAPES: Array<[string, string, string]> = [
    ["an AWS access key id", "key AKIAIOSFODNN7EXAMPLE here", "AKIAIOSFODNN7EXAMPLE"],
    ["a GitHub token", "ghs_0123456789abcdefghijABCDEFGHIJ", "ghs_0123456789abcdefghijABCDEFGHIJ"],
    ["a Slack token", "xoxp-1234-5678-abcdefgh", "xoxp-1234-5678-abcdefgh"],
    ["a JWT", "eyJhbGciOiJI.eyJzdWIiOiIx.c2lnbmF0dXJl", "eyJhbGciOiJI.eyJzdWIiOiIx.c2lnbmF0dXJl"],
    ["a Bearer token", "Authorization: Bearer abc.def-ghi_jkl", "abc.def-ghi_jkl"],
    ["a URL password", "redis://:hunter2hunter2@cache:6379", "hunter2hunter2"],
    ["a PEM private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----", "MIIB"],
    ["a key=value pair", "request failed: password=Pa55word!", "Pa55word!"],
  ];
  for (const [what, text, secret] of SHAPES)
    it(`finds ${what} by its shape and masks it in text`, () => {
      const out = scrubText(text);
      assert.ok(!out.includes(secret), out);
      assert.ok(out.includes(SECRET) || out.includes("***"), out);
    });

  it("masks every known secret wherever else it occurs, as a substring too, keeping the document's shape", () => {
    const doc = {
      values: { "data.password": { old: "OldPw-123", new: "NewPw-456" } },
      message: "login failed for NewPw-456 (previously OldPw-123)",
      list: ["prefixNewPw-456suffix"],
    };
    const { value, secrets } = redactAll(doc);
    assert.deepEqual(value, {
      values: { "data.password": { old: SECRET, new: SECRET } },
      message: `login failed for ${SECRET} (previously ${SECRET})`,
      list: [`prefix${SECRET}suffix`],
    });
    assert.equal(secrets.scrub("again NewPw-456"), `again ${SECRET}`);
  });

  it("learns a Pulumi secret's plain value and a Secret's decoded data", () => {
    const set = new SecretSet().collect({ s: { "4dabf18193072939515e22adb298388d": "x", value: "PlainValue1" } });
    set.collect(Buffer.from("decoded-secret").toString("base64"), "password");
    assert.equal(set.scrub("PlainValue1 decoded-secret"), `${SECRET} ${SECRET}`);
  });

  it("does not treat a reference to a secret as one", () => {
    const set = new SecretSet().collect({
      secretName: "db-credentials",
      secretKeyRef: { name: "db", key: "password" },
    });
    assert.equal(set.scrub("Secret db-credentials key password"), "Secret db-credentials key password");
  });

  it("sanitises URLs in text: userinfo and credential query values become ***", () => {
    assert.equal(
      scrubText("GET https://u:p@h.example/x?token=t&v=1 failed"),
      "GET https://***@h.example/x?token=***&v=1 failed",
    );
  });
});

describe("the secret masker on a single value", () => {
  it("masks secret shapes and URL credentials in a string wherever it sits", () => {
    assert.deepEqual(mask({ url: "postgres://app:pw@db/app", note: "key AKIAIOSFODNN7EXAMPLE" }), {
      url: "postgres://***@db/app",
      note: `key ${SECRET}`,
    });
  });
});
