// The sender: journal entries in, HTTP POSTs out, to every target of the stack whose events include the entry's. A
// notification that fails is a warning on stderr and never blocks the release: each POST has a bounded timeout
// (5 s) and at most two attempts. Secrets never leave in plain text: the notice is masked (automation/secrets.ts),
// URLs and keys come from the environment and are never printed.
import { createHmac } from "crypto";
import { NotificationTarget, parseStackConfig } from "../../stacks/config";
import { redact, scrubText, SecretSet } from "../secrets";
import type { JournalEntry } from "../state/store";
import { Notice, NoticeMapper } from "./events";
import { pagerdutyEvent, slackMessage, teamsMessage, webhookBody } from "./formats";

export interface NotifierOptions {
  env: NodeJS.ProcessEnv;
  progress(line: string): void;
  /** The stack's targets (its `slipway:notifications`). */
  targetsOf(stack: string): Promise<NotificationTarget[]>;
  /** The run the driver is in, for notices whose journal entry names none. */
  runUrl?: string;
  timeoutMs?: number;
  attempts?: number;
}

export type Notify = (entry: JournalEntry) => Promise<void>;

interface Request {
  url: string;
  body: string;
  headers: Record<string, string>;
  secrets: string[];
}

const LOOPBACK = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/;

function resolveUrl(t: NotificationTarget, env: NodeJS.ProcessEnv): string {
  const url = t.url.startsWith("env:") ? env[t.url.slice(4)] : t.url;
  if (!url) throw new Error(`${t.url.slice(4)} is not set: export it with the ${t.kind} URL`);
  if (!/^https:\/\//.test(url) && !LOOPBACK.test(url)) throw new Error(`${t.url}: not an https URL`);
  return url;
}

function envValue(name: string, env: NodeJS.ProcessEnv, what: string): string {
  const v = env[name];
  if (!v) throw new Error(`${name} is not set: export it with the ${what}`);
  return v;
}

/** The request a target gets for a notice (already masked). */
export function requestFor(t: NotificationTarget, n: Notice, env: NodeJS.ProcessEnv): Request {
  const url = resolveUrl(t, env);
  const headers: Record<string, string> = { "content-type": "application/json" };
  const secrets = [url];
  let payload: unknown;
  if (t.kind === "slack") payload = slackMessage(n);
  else if (t.kind === "teams") payload = teamsMessage(n);
  else if (t.kind === "pagerduty") {
    const key = envValue(t.routingKeyEnv!, env, "PagerDuty routing key");
    secrets.push(key);
    payload = pagerdutyEvent(n, key);
  } else payload = webhookBody(n);
  const body = JSON.stringify(payload);
  if (t.kind === "webhook") {
    headers["x-slipway-event"] = n.event;
    if (t.secretEnv !== undefined) {
      const key = envValue(t.secretEnv, env, "webhook signing key");
      secrets.push(key);
      headers["x-slipway-signature"] = `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;
    }
  }
  return { url, body, headers, secrets };
}

async function post(r: Request, timeoutMs: number, attempts: number): Promise<void> {
  let last = "";
  for (let i = 0; i < attempts; i++) {
    try {
      const res = await fetch(r.url, {
        method: "POST",
        headers: r.headers,
        body: r.body,
        redirect: "error",
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
      if (res.status < 500 && res.status !== 429) break;
    } catch (err) {
      const e = err as Error & { cause?: Error };
      last =
        e.name === "TimeoutError"
          ? `no answer within ${timeoutMs} ms`
          : `${e.message}${e.cause ? ` (${e.cause.message})` : ""}`;
    }
  }
  throw new Error(last);
}

/** The `notify` port: maps each journal entry to a notice and sends it to the stack's targets; never throws. */
export function createNotifier(o: NotifierOptions): Notify {
  const mapper = new NoticeMapper(o.runUrl);
  return async (entry) => {
    // Read the stack's targets from its first entry on (a promotion's start), so the read overlaps the update that
    // follows instead of delaying the first notice; a config that cannot be read sends nothing.
    const all = o.targetsOf(entry.stack).catch((): NotificationTarget[] => []);
    const raw = mapper.notice(entry);
    if (raw === undefined) return;
    const targets = (await all).filter((t) => t.events.includes(raw.event));
    const notice = redact(raw);
    await Promise.all(
      targets.map(async (t) => {
        const known = new SecretSet();
        try {
          const r = requestFor(t, notice, o.env);
          r.secrets.forEach((s) => known.add(s));
          await post(r, o.timeoutMs ?? 5_000, Math.min(o.attempts ?? 2, 2));
        } catch (err) {
          const why = scrubText(err instanceof Error ? err.message : String(err), known);
          o.progress(
            `${raw.stack}: warning: ${t.kind} notification (${raw.event}) to ${t.url.startsWith("env:") ? t.url : "its URL"} failed: ${why}; the release goes on`,
          );
        }
      }),
    );
  };
}

/** The real port: each stack's targets read from its config (cached per run), the run from GitHub Actions. */
export function stackNotifier(
  engine: { getConfig(stack: string): Promise<Record<string, string>> },
  progress: (line: string) => void,
  runUrl: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Notify {
  const cache = new Map<string, Promise<NotificationTarget[]>>();
  const targetsOf = (stack: string) => {
    if (!cache.has(stack))
      cache.set(
        stack,
        engine.getConfig(stack).then((raw) => parseStackConfig(stack, raw).notifications),
      );
    return cache.get(stack)!;
  };
  return createNotifier({ env, progress, targetsOf, runUrl });
}
