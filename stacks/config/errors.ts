// How a refusal reads: the key, the bad value and the fix.
import { CONFIG_NAMESPACE } from "../../contract/release";
import { displayUrl } from "../../contract/urls";

export const NAMESPACE = CONFIG_NAMESPACE;

/** A config value that cannot be used; the message names the key, the bad value and the fix. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** The value as the refusal shows it; a URL's userinfo and credential parameters are masked (contract/urls.ts). */
function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(displayUrl(v)) : (JSON.stringify(v) ?? String(v));
}

/** The refusal of `slipway:<key>` (a dotted path into a JSON key) with `value`, naming the fix. */
export function refuse(key: string, value: unknown, fix: string): ConfigError {
  if (value === undefined) return new ConfigError(`${NAMESPACE}:${key} is missing; ${fix}`);
  return new ConfigError(`${NAMESPACE}:${key}: ${show(value)} is not allowed; ${fix}`);
}

/** `["canary", "analysis", 0, "url"]` -> `canary.analysis[0].url`. */
export function keyPath(path: PropertyKey[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc === "" ? String(p) : `${acc}.${String(p)}`),
    "",
  );
}

/** The value at `path` inside a decoded config, or undefined. */
export function valueAt(obj: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((o, p) => (o !== null && typeof o === "object" ? (o as any)[p as any] : undefined), obj);
}
