// The one secret masker: every value that leaves the driver (progress, journal, reports, --json, exports, verdicts)
// goes through it, so a secret looks the same everywhere and nothing prints one by another path.
//
// A value is secret by its key (a property or env entry named like password, token, apiKey, authorization...), by its
// shape (a URL's password, AWS access keys, GitHub and Slack tokens, JWTs, PEM private keys, Bearer credentials) or by
// being a Pulumi secret. `redact` masks a whole document: it masks the secret values it finds and then every other
// occurrence of them, as substrings too, in every string (error messages and diagnostics included).
import { displayUrl, URL_MASK } from "../contract/urls";

export const SECRET = "[secret]";
/** Pulumi's marker for a secret value in serialized state and engine events. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_PATH =
  /(password|passwd|secret|token|private[-_.]?key|credential|connection[-_.]?string|api[-_.]?key|access[-_.]?key|authorization|cookie|(^|[._\-[\]"])(pwd|passphrase|auth|signature)([._\-[\]"]|$))/i;
/** Keys that name or point at a secret rather than hold one (secretName, secretKeyRef, kmsKeyArn, imagePullSecrets). */
const REFERENCE =
  /(name|names|ref|refs|arn|id|ids|path|file|type|version|namespace|selector|kind|enabled|secrets)["\]]*$/i;
/** Shorter values are masked where they sit but not searched for inside other text: they would match too much. */
const MIN_SEARCHED = 4;

/** Whether a property path (or a header, env var or field name) names something that must never be printed. */
export function isSecretPath(path: string): boolean {
  return SECRET_PATH.test(path);
}

/** Known secret shapes; each match (or its `secret` group) is a secret wherever it appears. */
const SHAPES: RegExp[] = [
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  /\b(?:ghp|gho|ghs|ghu|ghr)_[A-Za-z0-9]{20,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bxox[a-z]-[A-Za-z0-9-]{8,}/g,
  /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  /\b(?:Bearer|bearer)\s+(?<secret>[A-Za-z0-9._~+/=-]{8,})/g,
  /\bBasic\s+(?<secret>(?=[A-Za-z0-9+/]*[0-9+/])[A-Za-z0-9+/]{8,}={0,2})/g,
  // key=value and "key": "value" in free text (a provider's error repeating a request or a config).
  /\b(?:x-api-key|api[-_]?key|apikey|password|passwd|secret|client[-_]?secret|access[-_]?token|token)(?:=|"\s*:\s*")(?<secret>[^\s"',;&]{4,})/gi,
  // The password of URL userinfo: scheme://user:PASSWORD@host.
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:(?<secret>[^\s/?#@]+)@/gi,
];

/** Secret substrings of `text` by their shape. */
export function secretShapes(text: string): string[] {
  const out: string[] = [];
  for (const shape of SHAPES)
    for (const m of text.matchAll(shape)) {
      const s = m.groups?.secret ?? m[0];
      if (s !== "") out.push(s);
    }
  return out;
}

/** `text` with each secret shape replaced where it matched (the whole match, or its `secret` part). */
function maskShapes(text: string): string {
  let out = text;
  for (const shape of SHAPES)
    out = out.replace(shape, (...args: unknown[]) => {
      const match = args[0] as string;
      const groups = args.at(-1) as Record<string, string | undefined> | undefined;
      const secret = typeof groups === "object" && groups !== null ? groups.secret : undefined;
      if (!secret) return SECRET;
      // The secret part ends each shape (a URL's password just before its "@").
      const at = match.lastIndexOf(secret);
      return `${match.slice(0, at)}${SECRET}${match.slice(at + secret.length)}`;
    });
  return out;
}

/** Every secret value found in a document, so each can be masked wherever else it occurs. */
export class SecretSet {
  private readonly values = new Set<string>();
  private sorted?: string[];

  add(value: unknown): void {
    if (typeof value !== "string" || value === SECRET || value.trim().length < MIN_SEARCHED) return;
    this.values.add(value);
    // A base64 value (a Secret's data) is also printed decoded.
    if (/^[A-Za-z0-9+/]{8,}={0,2}$/.test(value) && value.length % 4 === 0) {
      const decoded = Buffer.from(value, "base64").toString("utf8");
      const canonical = Buffer.from(decoded, "utf8").toString("base64") === value;
      if (canonical && /^[\x20-\x7e]+$/.test(decoded) && decoded.length >= MIN_SEARCHED) this.values.add(decoded);
    }
    this.sorted = undefined;
  }

  /** Adds every secret of `value` (see `collectSecrets`). */
  collect(value: unknown, path = ""): this {
    collectSecrets(value, this, path);
    return this;
  }

  get size(): number {
    return this.values.size;
  }

  /** `text` with every known secret, every secret shape and every URL credential masked. */
  scrub(text: string): string {
    this.sorted ??= [...this.values].sort((a, b) => b.length - a.length);
    let out = text;
    for (const s of this.sorted) if (out.includes(s)) out = out.split(s).join(SECRET);
    out = maskShapes(out);
    return out.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi, (url) => displayUrl(url));
  }
}

function isPulumiSecret(value: object): boolean {
  return SECRET_SIG in value;
}

function everyLeaf(value: unknown, into: SecretSet): void {
  if (Array.isArray(value)) for (const v of value) everyLeaf(v, into);
  else if (typeof value === "object" && value !== null)
    for (const [k, v] of Object.entries(value)) everyLeaf(k === SECRET_SIG ? undefined : v, into);
  else into.add(value);
}

/** Adds to `into` every value of `value` that is secret by key, env entry name, Pulumi secret or shape. */
export function collectSecrets(value: unknown, into: SecretSet, path = ""): SecretSet {
  if (path !== "" && isSecretPath(path) && !REFERENCE.test(path)) {
    everyLeaf(value, into);
  } else if (typeof value === "string") {
    for (const s of secretShapes(value)) into.add(s);
  } else if (Array.isArray(value)) {
    for (const v of value) collectSecrets(v, into);
  } else if (typeof value === "object" && value !== null) {
    if (isPulumiSecret(value)) return (everyLeaf(value, into), into);
    const named = (value as { name?: unknown }).name;
    const secretPair = typeof named === "string" && isSecretPath(named);
    for (const [k, v] of Object.entries(value)) {
      if (secretPair && k === "value") everyLeaf(v, into);
      else collectSecrets(v, into, k);
    }
  }
  return into;
}

/**
 * `value` with every Pulumi secret inside, and every field whose name says secret, replaced by "[secret]"; the whole
 * value when `path` (the property it sits at) says secret. Strings lose their secret shapes and URL credentials.
 */
export function mask(value: unknown, path = ""): unknown {
  if (path !== "" && isSecretPath(path)) return SECRET;
  if (typeof value === "string") return scrubText(value);
  if (Array.isArray(value)) return value.map((v) => mask(v));
  if (typeof value === "object" && value !== null) {
    if (isPulumiSecret(value)) return SECRET;
    // A name/value pair (a container's env entry) whose name says secret: its value is one, e.g. API_TOKEN.
    const named = (value as { name?: unknown }).name;
    const secretPair = typeof named === "string" && isSecretPath(named);
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, secretPair && k === "value" ? SECRET : mask(v, k)]),
    );
  }
  return value;
}

/** Replaces every leaf of a secret value, keeping its shape (objects stay objects), so readers of the shape still work. */
function maskLeaves(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskLeaves);
  if (typeof value === "object" && value !== null) {
    if (isPulumiSecret(value)) return SECRET;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskLeaves(v)]));
  }
  return typeof value === "string" || typeof value === "number" ? SECRET : value;
}

function redactWith(value: unknown, known: SecretSet, path: string): unknown {
  if (path !== "" && isSecretPath(path)) return maskLeaves(value);
  if (typeof value === "string") return known.scrub(value);
  if (Array.isArray(value)) return value.map((v) => redactWith(v, known, ""));
  if (typeof value === "object" && value !== null) {
    if (isPulumiSecret(value)) return SECRET;
    const named = (value as { name?: unknown }).name;
    const secretPair = typeof named === "string" && isSecretPath(named);
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, secretPair && k === "value" ? maskLeaves(v) : redactWith(v, known, k)]),
    );
  }
  return value;
}

/**
 * A copy of `value` fit to print, and the secrets it held: values secret by key, env entry, Pulumi secret or shape are
 * masked where they sit (keeping the document's shape), and then wherever else they occur in any string, as
 * substrings too; URL credentials are replaced by "***". `known` adds secrets learnt elsewhere.
 */
export function redactAll<T>(value: T, known = new SecretSet()): { value: T; secrets: SecretSet } {
  collectSecrets(value, known);
  return { value: redactWith(value, known, "") as T, secrets: known };
}

/** `redactAll`'s copy alone. */
export function redact<T>(value: T, known?: SecretSet): T {
  return redactAll(value, known).value;
}

/** `text` with every secret shape and URL credential masked, plus the secrets of `known`. */
export function scrubText(text: string, known: SecretSet = new SecretSet()): string {
  return known.scrub(text);
}

/**
 * Renders `input` with every secret masked: the renderer sees a redacted copy, and its output is scrubbed again with
 * every secret the input held, so text a renderer assembles from several fields cannot rebuild one.
 */
export function renderMasked<T>(input: T, render: (safe: T) => string): string {
  const { value, secrets } = redactAll(input);
  return secrets.scrub(render(value));
}

export { URL_MASK };
