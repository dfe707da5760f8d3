// Secrets never sit in a workload's manifest: an environment variable whose name says it holds a secret, or whose
// value has the shape of a credential, must take its value from a Secret (valueFrom.secretKeyRef). Messages name the
// variable and what gave it away, never the value.
import { Report } from "./lib/report";
import { get, list, show } from "./lib/values";
import { ContainerContext, workloadPolicy } from "./lib/workload";

/** Word sequences that make a variable name a secret's: `DB_PASSWORD`, `apiKey`, `AWS_SECRET_ACCESS_KEY`, ... */
const SECRET_WORDS: readonly (readonly string[])[] = [
  ["password"],
  ["passwd"],
  ["pwd"],
  ["passphrase"],
  ["secret"],
  ["token"],
  ["apikey"],
  ["api", "key"],
  ["access", "key"],
  ["private", "key"],
  ["secret", "key"],
  ["signing", "key"],
  ["encryption", "key"],
  ["credential"],
  ["credentials"],
  ["auth"],
  ["authorization"],
  ["bearer"],
];

/** A last word that makes the variable describe a secret rather than hold one: `PASSWORD_FILE`, `TOKEN_TTL`. */
const NOT_THE_SECRET = new Set([
  "file",
  "path",
  "dir",
  "ttl",
  "timeout",
  "length",
  "expiry",
  "enabled",
  "disabled",
  "required",
  "mode",
  "type",
  "name",
  "id",
  "url",
  "uri",
  "endpoint",
  "host",
  "port",
  "header",
  "algorithm",
  "ref",
]);

/** `AWS_SECRET_ACCESS_KEY` -> aws, secret, access, key; `apiKey` -> api, key; `x-auth-token` -> x, auth, token. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w.toLowerCase());
}

function containsRun(words: readonly string[], run: readonly string[]): boolean {
  for (let i = 0; i + run.length <= words.length; i++) {
    if (run.every((w, j) => words[i + j] === w)) return true;
  }
  return false;
}

/** Whether an environment variable's name says it holds a secret. */
export function secretName(name: string): boolean {
  const words = nameWords(name);
  if (words.length === 0 || NOT_THE_SECRET.has(words[words.length - 1])) return false;
  return SECRET_WORDS.some((run) => containsRun(words, run));
}

/** Credential shapes, named for the message. */
export const CREDENTIAL_SHAPES: ReadonlyArray<readonly [string, RegExp]> = [
  ["a URL with a password (user:password@)", /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i],
  ["an AWS access key id", /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ["a GitHub token", /\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/],
  ["a Slack token", /\bxox[bpoas]-[A-Za-z0-9-]{10,}/],
  ["a PEM private key", /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/],
  ["a JSON Web Token", /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/],
];

/** `$(OTHER_VAR)`: Kubernetes substitutes another variable of the container, which is not a literal. */
const REFERENCES = /\$\([A-Za-z_][A-Za-z0-9_.-]*\)/g;
const REFERENCE = /^\$\([A-Za-z_][A-Za-z0-9_.-]*\)$/;

/**
 * What credential `value` looks like, if any. References to other variables do not count, so
 * `postgres://app:$(DB_PASSWORD)@db/orders` (the password from a Secret-backed variable) passes.
 */
export function credentialShape(value: string): string | undefined {
  const literal = value.replace(REFERENCES, "");
  return CREDENTIAL_SHAPES.find(([, shape]) => shape.test(literal))?.[0];
}

const FIX = "move it into a Secret and set env[].valueFrom.secretKeyRef instead of value";

function checkEnv(c: ContainerContext, report: Report): void {
  const env = list(c.container, "env");
  if (!report.known(env, `${c.label} env`)) return;
  env.forEach((entry, i) => {
    const name = get(entry, "name");
    const value = get(entry, "value");
    if (!report.known(name, `${c.label} env[${i}].name`) || !report.known(value, `${c.label} env ${show(name)} value`))
      return;
    if (typeof value !== "string" || value === "" || REFERENCE.test(value)) return;
    const label = `${c.label} env ${typeof name === "string" ? `"${name}"` : `[${i}]`}`;
    const shape = credentialShape(value);
    if (shape !== undefined) {
      report.fail(`${label} must not carry a literal credential (its value looks like ${shape}); ${FIX}.`);
    } else if (typeof name === "string" && secretName(name)) {
      report.fail(`${label} must not carry a literal value: its name says it holds a secret; ${FIX}.`);
    }
  });
}

export const containersNoLiteralSecrets = workloadPolicy({
  name: "containers-no-literal-secrets",
  description:
    "Checks whether no container of a workload sets a secret as a literal environment value (a secret-looking name with a value, or a value shaped like a credential: a URL with a password, AWS, GitHub or Slack tokens, PEM private keys, JWTs).",
  checkContainer: (c, _pod, _config, report) => checkEnv(c, report),
});
