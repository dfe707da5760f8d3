import { strict as assert } from "node:assert";
import { URL_MASK } from "../../../contract/urls";
import { SECRET } from "../../../automation/secrets";
import { changeOf, Hostile, RENDERERS } from "./hostile";

const SIG = "4dabf18193072939515e22adb298388d";
const PEM_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7";
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N";

/** [kind, the secret (a substring that must appear nowhere), the input carrying it]. */
const KINDS: Array<[string, string, Hostile]> = [
  [
    "an env entry named API_KEY",
    "EnvValue9x7Q",
    hostile({ "spec.env": { new: [{ name: "API_KEY", value: "EnvValue9x7Q" }] } }, "EnvValue9x7Q"),
  ],
  ...["apiKey", "api_key", "password", "token", "secret", "clientSecret", "privateKey"].map(
    (field): [string, string, Hostile] => [
      `a field named ${field}`,
      `Field${field}Value42`,
      hostile({ [`spec.${field}`]: { old: "x", new: `Field${field}Value42` } }, `Field${field}Value42`),
    ],
  ),
  ...["authorization", "cookie", "x-api-key"].map((header): [string, string, Hostile] => [
    `a ${header} header`,
    `Header${header.replace(/-/g, "")}Value7`,
    hostile(
      { "spec.headers": { new: { [header]: `Header${header.replace(/-/g, "")}Value7` } } },
      `Header${header.replace(/-/g, "")}Value7`,
    ),
  ]),
  [
    "a password in a connection URL",
    "UrlPassw0rd77",
    hostile(
      { "spec.databaseUrl": { new: "postgres://app:UrlPassw0rd77@db:5432/app" } },
      "dial postgres://app:UrlPassw0rd77@db:5432/app: refused",
    ),
  ],
  [
    "a Pulumi secret",
    "PulumiPlain55",
    hostile(
      { "spec.config": { new: { [SIG]: "1b47061264138c4ac30d75fd1eb44270", value: "PulumiPlain55" } } },
      "provider echoed PulumiPlain55",
    ),
  ],
  [
    "an AWS access key id",
    "AKIAIOSFODNN7EXAMPLE",
    hostile({}, "InvalidClientTokenId: AKIAIOSFODNN7EXAMPLE is not valid"),
  ],
  ["an AWS session key id", "ASIAJEXAMPLEXEG2JICE", hostile({}, "key ASIAJEXAMPLEXEG2JICE expired")],
  [
    "a GitHub token",
    "0123456789abcdefghijABCDEFGHIJklmnop",
    hostile({}, "auth ghp_0123456789abcdefghijABCDEFGHIJklmnop refused"),
  ],
  [
    "a GitHub fine-grained token",
    "11ABCDEFG0123456789abcdefghij",
    hostile({}, "github_pat_11ABCDEFG0123456789abcdefghij used"),
  ],
  ["a Slack token", "xoxb-123456789012-abcdEFGHijkl", hostile({}, "slack said xoxb-123456789012-abcdEFGHijkl invalid")],
  ["a JWT", JWT, hostile({}, `token rejected: ${JWT}`)],
  [
    "a PEM private key",
    PEM_BODY,
    hostile({}, `bad key -----BEGIN PRIVATE KEY-----\n${PEM_BODY}\n-----END PRIVATE KEY-----`),
  ],
  ["a Bearer token", "BearerTok3nValue99", hostile({}, "request with Authorization: Bearer BearerTok3nValue99 failed")],
  [
    "credentials in a gate URL",
    "GatePass123",
    hostile({}, "GET https://probe:GatePass123@status.example.com/health: status 500"),
  ],
  [
    "a token query parameter",
    "QueryTok987",
    hostile({}, "GET https://status.example.com/health?access_token=QueryTok987: status 500"),
  ],
  [
    "an X-Amz-Signature",
    "f00dbabe1234",
    hostile({}, "GET https://b.s3.amazonaws.com/o?X-Amz-Signature=f00dbabe1234: 403"),
  ],
];

function hostile(values: NonNullable<Hostile["change"]["values"]>, echo: string): Hostile {
  // The echo also sits in a changed value, so every renderer (drift has no messages) has the secret to mask.
  return { change: changeOf({ ...values, "status.message": { old: "", new: echo } }), echo };
}

describe("#hostile-input: no secret reaches any output", () => {
  for (const [renderer, , render] of RENDERERS) {
    describe(`the ${renderer}`, () => {
      for (const [kind, secret, input] of KINDS) {
        it(`masks ${kind}`, () => {
          const out = render(input);
          assert.ok(!out.includes(secret), `${renderer} leaked ${kind}:\n${out}`);
          assert.ok(out.includes(SECRET) || out.includes(URL_MASK), `${renderer} shows no mask for ${kind}`);
        });
      }
    });
  }
});
