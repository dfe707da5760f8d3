// The one secret masker: every value that leaves the driver (progress, journal, reports, --json, exports) goes through
// `mask`, so a secret looks the same everywhere and nothing prints one by another path.

export const SECRET = "[secret]";
/** Pulumi's marker for a secret value in serialized state and engine events. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_PATH = /(password|passwd|secret|token|private[-_.]?key|credential|connection[-_.]?string)/i;

/** Whether a property path names something that must never be printed, whatever its value looks like. */
export function isSecretPath(path: string): boolean {
  return SECRET_PATH.test(path);
}

/**
 * `value` with every Pulumi secret inside, and every field whose name says secret, replaced by "[secret]"; the whole
 * value when `path` (the property it sits at) says secret.
 */
export function mask(value: unknown, path = ""): unknown {
  if (path !== "" && isSecretPath(path)) return SECRET;
  if (Array.isArray(value)) return value.map((v) => mask(v));
  if (typeof value === "object" && value !== null) {
    if (SECRET_SIG in value) return SECRET;
    // A name/value pair (a container's env entry) whose name says secret: its value is one, e.g. API_TOKEN.
    const named = (value as { name?: unknown }).name;
    const secretPair = typeof named === "string" && isSecretPath(named);
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, secretPair && k === "value" ? SECRET : mask(v, k)]),
    );
  }
  return value;
}
