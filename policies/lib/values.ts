// Reading resource properties that may be unknown during preview.
//
// The engine hands policies their properties wrapped in a proxy that throws `UnknownValueError` on any read of a
// value that is computed during the update. Left alone, that aborts the whole policy with one generic advisory
// message. Reading through `get` instead turns such a value into `UNKNOWN`, so a policy checks everything that is
// known and records what is not (see ./report.ts).
import { UnknownValueError } from "@pulumi/policy";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";

// The engine's proxy hands out its plain target under this key (@pulumi/policy proxy.ts, `getSpecialProxyTarget`).
// Reading the plain object is ~8x faster than going through a proxy per property; where the key is gone in some
// future version, `get` still reads through the proxy and catches its errors.
const PROXY_TARGET = "__getSpecialProxyTarget";

/** The plain properties behind the engine's unknown-checking proxy; unknowns stay as the wire sentinel `get` knows. */
export function unwrap(props: unknown): unknown {
  if (props !== null && typeof props === "object") {
    const target = (props as Record<string, unknown>)[PROXY_TARGET];
    if (target !== null && typeof target === "object") {
      return target;
    }
  }
  return props;
}

/** Marks a property whose value is computed during the update. */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export type Unknown = typeof UNKNOWN;
export type Maybe<T> = T | Unknown | undefined;

export type PathStep = string | number;

/** Reads `path` below `root`: the value, `undefined` when any step is missing, or `UNKNOWN`. */
export function get(root: unknown, ...path: PathStep[]): unknown {
  let current: unknown = root;
  if (current === unknownValue || current === UNKNOWN) {
    return UNKNOWN;
  }
  for (const step of path) {
    if (current === null || typeof current !== "object") {
      return undefined;
    }
    try {
      current = (current as Record<PathStep, unknown>)[step];
    } catch (e) {
      if (e instanceof UnknownValueError) {
        return UNKNOWN;
      }
      throw e;
    }
    // Objects built outside the engine (tests, mocks) carry the wire sentinel instead of throwing.
    if (current === unknownValue) {
      return UNKNOWN;
    }
  }
  return current;
}

/** Whether any value below `root` is computed during the update; a walk is far cheaper than running every check. */
export function containsUnknown(root: unknown): boolean {
  if (root === unknownValue || root === UNKNOWN) {
    return true;
  }
  if (root === null || typeof root !== "object") {
    return false;
  }
  // Read like `get` does: through the engine's proxy (where it could not be unwrapped) a computed value throws.
  try {
    if (Array.isArray(root)) {
      return root.some(containsUnknown);
    }
    for (const key in root) {
      if (containsUnknown((root as Record<string, unknown>)[key])) {
        return true;
      }
    }
  } catch (e) {
    if (e instanceof UnknownValueError) {
      return true;
    }
    throw e;
  }
  return false;
}

export function isUnknown(value: unknown): value is Unknown {
  return value === UNKNOWN;
}

/** The elements of a list property; `UNKNOWN` when the list itself is computed, [] when it is absent. */
export function list(root: unknown, ...path: PathStep[]): unknown[] | Unknown {
  const value = get(root, ...path);
  if (value === UNKNOWN) {
    return UNKNOWN;
  }
  if (!Array.isArray(value)) {
    return [];
  }
  const items: unknown[] = [];
  for (let i = 0; i < value.length; i++) {
    items.push(get(value, i));
  }
  return items;
}

/** A property rendered for a message: strings quoted, absent values named. */
export function show(value: unknown): string {
  if (value === undefined) {
    return "unset";
  }
  return typeof value === "string" ? `"${value}"` : String(value);
}

/** True when a string property is set to a non-empty value. */
export function isSet(value: unknown): boolean {
  return typeof value === "string" ? value.trim() !== "" : value !== undefined && value !== null;
}
