import * as assert from "assert";
import { enforcementLevel, loadPackConfig } from "../../policies/lib/packConfig";
import { containersNoLiteralSecrets, credentialShape, secretName } from "../../policies/secretEnv";
import { container, cronJob, deployment, pod, podSpec, T } from "./fixtures";
import { COMPUTED, validateResource, withProp } from "./helpers";

const LABEL = 'Deployment "api-gateway-stable" container "api-gateway"';
const FIX = "move it into a Secret and set env[].valueFrom.secretKeyRef instead of value";

function withEnv(env: unknown[]): string[] {
  const props = withProp(deployment(), "spec.template.spec.containers.0.env", env);
  return validateResource(containersNoLiteralSecrets, { type: T.deployment, name: "api-gateway-stable", props });
}

// Realistic shapes, assembled so that no credential-looking literal sits in the source.
const AWS_KEY = ["AKIA", "IOSFODNN7", "EXAMPLE"].join("");
const GITHUB = ["ghp", "_", "a".repeat(36)].join("");
const GITHUB_PAT = ["github", "_pat_", "11ABCDEFG0", "x".repeat(30)].join("");
const SLACK = ["xox", "b-", "123456789012-abcdefABCDEF"].join("");
const PEM = ["-----BEGIN RSA PRIVATE", " KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----"].join("");
const JWT = ["eyJhbGciOiJIUzI1NiJ9", "eyJzdWIiOiIxMjM0NTY3ODkwIn0", "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"].join(
  ".",
);

describe("#containers-no-literal-secrets: names", () => {
  for (const name of [
    "DB_PASSWORD",
    "PASSWD",
    "mysqlPwd",
    "CLIENT_SECRET",
    "GITHUB_TOKEN",
    "API_KEY",
    "apiKey",
    "api-key",
    "X_APIKEY",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_ACCESS_KEY",
    "PRIVATE_KEY",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "BASIC_AUTH",
    "x-auth-token",
    "Authorization",
  ]) {
    it(`refuses a literal value for ${name}, naming the variable and the fix but not the value`, () => {
      assert.deepStrictEqual(withEnv([{ name, value: "s3cr3t-value" }]), [
        `${LABEL} env "${name}" must not carry a literal value: its name says it holds a secret; ${FIX}.`,
      ]);
    });
  }
  for (const name of [
    "AUTHOR",
    "TOKENIZER_MODEL",
    "PASSWORD_FILE",
    "TOKEN_TTL",
    "AUTH_ENABLED",
    "SECRET_NAME",
    "AWS_ACCESS_KEY_ID_PATH",
    "KEYBOARD",
    "LOG_LEVEL",
  ]) {
    it(`passes a literal value for ${name}, which does not hold a secret`, () => {
      assert.strictEqual(secretName(name), false);
      assert.deepStrictEqual(withEnv([{ name, value: "info" }]), []);
    });
  }
  it("passes secret-named variables read from a Secret, left empty, or referring to another variable", () => {
    assert.deepStrictEqual(
      withEnv([
        { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
        { name: "API_TOKEN", value: "" },
        { name: "CLIENT_SECRET", value: "$(OAUTH_CLIENT_SECRET)" },
      ]),
      [],
    );
  });
});

describe("#containers-no-literal-secrets: values", () => {
  const cases: Array<[string, string, string]> = [
    ["DATABASE_URL", "postgres://app:hunter2@db.internal:5432/orders", "a URL with a password (user:password@)"],
    ["REDIS_URL", "redis://:hunter2@cache:6379/0", "a URL with a password (user:password@)"],
    ["S3_ID", AWS_KEY, "an AWS access key id"],
    ["GH", GITHUB, "a GitHub token"],
    ["GH_FINE", GITHUB_PAT, "a GitHub token"],
    ["NOTIFY", SLACK, "a Slack token"],
    ["TLS", PEM, "a PEM private key"],
    ["SESSION", JWT, "a JSON Web Token"],
    ["DB_PASSWORD_URL", "mysql://root:pw@db/x", "a URL with a password (user:password@)"],
  ];
  for (const [name, value, shape] of cases) {
    it(`refuses ${name} whose value looks like ${shape}, without printing it`, () => {
      const messages = withEnv([{ name, value }]);
      assert.deepStrictEqual(messages, [
        `${LABEL} env "${name}" must not carry a literal credential (its value looks like ${shape}); ${FIX}.`,
      ]);
      assert.ok(!messages[0].includes(value));
    });
  }
  for (const value of [
    "http://api-gateway.slipway.svc:8080/health",
    "https://user@example.com/x",
    "postgres://app:$(DB_PASSWORD)@db.internal:5432/orders",
    "1.4.0",
    "AKIA",
  ]) {
    it(`passes the plain value ${JSON.stringify(value)}`, () => assert.strictEqual(credentialShape(value), undefined));
  }
});

describe("#containers-no-literal-secrets: every workload and container", () => {
  const bad = withProp(container("worker"), "env", [{ name: "DB_PASSWORD", value: "x" }]);
  const cases: Array<[string, string, object, string]> = [
    [
      "Deployment",
      T.deployment,
      withProp(deployment(), "spec.template.spec.containers", [bad]),
      'Deployment "api-gateway-stable" container',
    ],
    [
      "Job",
      T.job,
      { metadata: { name: "migrate" }, spec: { template: { spec: { ...podSpec(), containers: [bad] } } } },
      'Job "migrate" container',
    ],
    [
      "CronJob",
      T.cronJob,
      withProp(cronJob(), "spec.jobTemplate.spec.template.spec.containers", [bad]),
      'CronJob "nightly-report" container',
    ],
    ["Pod", T.pod, withProp(pod(), "spec.containers", [bad]), 'Pod "debug" container'],
    [
      "StatefulSet",
      T.statefulSet,
      withProp(deployment(), "spec.template.spec.containers", [bad]),
      'StatefulSet "api-gateway-stable" container',
    ],
    [
      "DaemonSet",
      T.daemonSet,
      withProp(deployment(), "spec.template.spec.containers", [bad]),
      'DaemonSet "api-gateway-stable" container',
    ],
    [
      "init container",
      T.deployment,
      withProp(deployment(), "spec.template.spec.initContainers", [bad]),
      'Deployment "api-gateway-stable" init container',
    ],
    [
      "ephemeral container",
      T.deployment,
      withProp(deployment(), "spec.template.spec.ephemeralContainers", [bad]),
      'Deployment "api-gateway-stable" ephemeral container',
    ],
  ];
  for (const [what, type, props, label] of cases) {
    it(`checks a ${what}`, () => {
      assert.deepStrictEqual(validateResource(containersNoLiteralSecrets, { type, name: "subject", props }), [
        `${label} "worker" env "DB_PASSWORD" must not carry a literal value: its name says it holds a secret; ${FIX}.`,
      ]);
    });
  }
  it("leaves a value computed during preview to the update", () => {
    assert.deepStrictEqual(withEnv([{ name: "DB_PASSWORD", value: COMPUTED }]), []);
  });
});

describe("#containers-no-literal-secrets: enforcement per stack", () => {
  const expected: Record<string, string> = {
    dev: "advisory",
    local: "advisory",
    staging: "mandatory",
    prod: "mandatory",
  };
  for (const [stack, level] of Object.entries(expected)) {
    it(`is ${level} on ${stack}`, () =>
      assert.strictEqual(enforcementLevel({ name: "containers-no-literal-secrets" }, loadPackConfig(stack)), level));
  }
});
