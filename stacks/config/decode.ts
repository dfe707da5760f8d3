// From the strings Pulumi hands over (`pulumi.runtime.allConfig()`) to the values the schema checks. How a key's text
// is read follows from its schema: numbers and booleans are parsed, JSON keys (objects, lists, records) are parsed as
// JSON, everything else stays text. An unknown key is refused with the nearest known one.
import { z } from "zod";
import { ConfigError, keyPath, NAMESPACE, refuse, valueAt } from "./errors";
import { KEY_INFO, schema } from "./schema";

type Kind = "string" | "number" | "boolean" | "json";

/** How the text of a key with schema `s` is read. */
function kindOf(s: z.core.$ZodType): Kind {
  const def = s._zod.def as { type: string; innerType?: z.core.$ZodType; options?: z.core.$ZodType[] };
  switch (def.type) {
    case "optional":
      return kindOf(def.innerType!);
    case "union":
      return kindOf(def.options![0]);
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "string":
    case "enum":
    case "literal":
      return "string";
    default:
      return "json";
  }
}

const KEYS = schema.shape;
type Key = keyof typeof KEYS;
export const KNOWN_KEYS = Object.keys(KEYS) as Key[];

/** The keys only the AWS stacks, or only the local stack, read. */
export function keysOnly(stacks: "aws" | "local"): Key[] {
  return KNOWN_KEYS.filter((k) => KEY_INFO.get(KEYS[k])?.only === stacks);
}

/** Edit distance, for the nearest known key of a misspelt one. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length];
}

function unknownKey(key: string, text: string): ConfigError {
  const near = KNOWN_KEYS.reduce((best, k) => (distance(key, k) < distance(key, best) ? k : best));
  const hint = distance(key, near) <= 3 ? `did you mean ${NAMESPACE}:${near}?` : `known keys: ${KNOWN_KEYS.join(", ")}`;
  return refuse(key, text, `it is not a known key; ${hint}`);
}

function decodeValue(key: Key, text: string): unknown {
  const kind = kindOf(KEYS[key]);
  if (kind === "number") return /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text;
  if (kind === "boolean") return text === "true" ? true : text === "false" ? false : text;
  if (kind === "string") return text;
  try {
    return JSON.parse(text);
  } catch {
    throw refuse(key, text, KEY_INFO.get(KEYS[key])?.jsonFix ?? "set valid JSON");
  }
}

/** The `slipway:` keys of raw config, decoded; other namespaces are left out. Throws ConfigError on an unknown key. */
export function decode(raw: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [full, text] of Object.entries(raw)) {
    if (!full.startsWith(`${NAMESPACE}:`)) continue;
    const key = full.slice(NAMESPACE.length + 1);
    if (!Object.hasOwn(KEYS, key)) throw unknownKey(key, text);
    out[key] = decodeValue(key as Key, text);
  }
  return out;
}

/** One schema issue as a refusal naming the key path, the bad value and the fix. */
export function formatIssue(input: Record<string, unknown>, issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    const at = [...issue.path, issue.keys[0]];
    return refuse(keyPath(at), valueAt(input, at), "it is not a known field; remove it or fix its spelling").message;
  }
  return refuse(keyPath(issue.path), valueAt(input, issue.path), issue.message).message;
}
