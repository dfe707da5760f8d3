// Text helpers shared by the renderers: Markdown escaping, value formatting with secrets masked, durations.

/** Escapes text for Markdown prose and table cells (one line; pipes and HTML neutralised). */
export function md(text: string): string {
    return text
        .replace(/\r?\n/g, " ")
        .replace(/([\\`*_[\]|#])/g, "\\$1")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;");
}

/** Inline code on one line; a backtick inside would end the span, so it becomes a quote. */
export function code(text: string): string {
    return `\`${text.replace(/\r?\n/g, " ").replace(/`/g, "'").replace(/\|/g, "\\|")}\``;
}

export const SECRET = "[secret]";
// Pulumi's marker for a secret value in serialized state.
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_PATH = /(password|passwd|secret|token|private[-_.]?key|credential|connection[-_.]?string)/i;

/** Whether a property path names something that must never be printed, whatever its value looks like. */
export function isSecretPath(path: string): boolean {
    return SECRET_PATH.test(path);
}

/** A value with every Pulumi secret inside replaced by "[secret]". */
export function redact(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(redact);
    if (typeof value === "object" && value !== null) {
        if (SECRET_SIG in value) return SECRET;
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isSecretPath(k) ? SECRET : redact(v)]));
    }
    return value;
}

/** A property value for a report line: JSON, secrets masked, long values cut. */
export function show(value: unknown, present: boolean, path = "", max = 120): string {
    if (!present || value === undefined) return "(absent)";
    if (isSecretPath(path)) return SECRET;
    const masked = redact(value);
    if (masked === SECRET) return SECRET;
    const text = typeof masked === "string" ? JSON.stringify(masked) : JSON.stringify(masked) ?? String(masked);
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function seconds(ms: number): string {
    return `${(ms / 1000).toFixed(1)} s`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
    return `${n} ${n === 1 ? one : many}`;
}
