// `slipway:notifications`: where the driver tells people what a release did (Slack, Microsoft Teams, PagerDuty, a
// signed webhook) and which events each target gets. Credentials are never literal in config: a Slack or Teams
// webhook URL is itself a credential, so it is an `env:NAME` reference; a PagerDuty or webhook URL may be literal only
// without userinfo or a credential query parameter (contract/urls.ts); keys are named by their environment variable.
import { z } from "zod";
import { gateUrlProblem } from "../../contract/urls";

export const NOTIFY_KINDS = ["slack", "teams", "pagerduty", "webhook"] as const;
export const NOTIFY_EVENTS = [
  "step-passed",
  "gate-failed",
  "rolled-back",
  "held",
  "paused",
  "aborted",
  "completed",
  "drift-detected",
] as const;
export type NotifyKind = (typeof NOTIFY_KINDS)[number];
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** One target, resolved: `url` is an `env:NAME` reference or a literal URL without credentials. */
export interface NotificationTarget {
  kind: NotifyKind;
  url: string;
  events: NotifyEvent[];
  /** PagerDuty: the environment variable holding the integration's routing key. */
  routingKeyEnv?: string;
  /** Webhook: the environment variable holding the HMAC-SHA256 key that signs each body. */
  secretEnv?: string;
}

export const PAGERDUTY_URL = "https://events.pagerduty.com/v2/enqueue";
const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,127}$/;
const ENV_FIX = "name an environment variable, e.g. SLACK_WEBHOOK_URL (upper-case letters, digits and _)";
const envName = z.string({ error: ENV_FIX }).regex(ENV_NAME, { error: ENV_FIX });
const URL_FIX = 'set "env:NAME", the environment variable holding the URL, e.g. "env:SLACK_WEBHOOK_URL"';

function urlProblem(t: { kind: NotifyKind; url?: string }): string | undefined {
  const u = t.url;
  if (u === undefined) return t.kind === "pagerduty" ? undefined : `url is required: ${URL_FIX}`;
  if (u.startsWith("env:")) return ENV_NAME.test(u.slice(4)) ? undefined : `url "${u}": after env: ${ENV_FIX}`;
  if (t.kind === "slack" || t.kind === "teams")
    return `url: a ${t.kind} webhook URL is a credential (anyone holding it can post): ${URL_FIX}`;
  if (!/^https:\/\/\S+$/.test(u)) return `url: set an https URL, or ${URL_FIX}`;
  const bad = gateUrlProblem(u, "url");
  return bad && `url carries credentials: ${URL_FIX}`;
}

export const notificationsSchema = z.array(
  z
    .strictObject({
      kind: z.enum(NOTIFY_KINDS, { error: `use one of ${NOTIFY_KINDS.join(", ")}` }),
      url: z.string({ error: URL_FIX }).optional(),
      events: z
        .array(z.enum(NOTIFY_EVENTS, { error: `use events of ${NOTIFY_EVENTS.join(", ")}` }))
        .min(1, { error: "list at least one event, or remove events to get them all" })
        .optional(),
      routingKeyEnv: envName.optional(),
      secretEnv: envName.optional(),
    })
    .superRefine((t, ctx) => {
      const bad = urlProblem(t);
      if (bad) ctx.addIssue({ code: "custom", message: bad, path: ["url"] });
      if (t.kind === "pagerduty" && t.routingKeyEnv === undefined)
        ctx.addIssue({
          code: "custom",
          message: "pagerduty needs routingKeyEnv: name the variable holding the routing key, e.g. PD_ROUTING_KEY",
          path: ["routingKeyEnv"],
        });
      if (t.routingKeyEnv !== undefined && t.kind !== "pagerduty")
        ctx.addIssue({
          code: "custom",
          message: "routingKeyEnv is for pagerduty only: remove it",
          path: ["routingKeyEnv"],
        });
      if (t.secretEnv !== undefined && t.kind !== "webhook")
        ctx.addIssue({ code: "custom", message: "secretEnv is for webhook only: remove it", path: ["secretEnv"] });
    }),
  { error: 'set a JSON list such as [{"kind":"slack","url":"env:SLACK_WEBHOOK_URL","events":["rolled-back"]}]' },
);

type Input = z.infer<typeof notificationsSchema>;

export function resolveNotifications(n: Input | undefined): NotificationTarget[] {
  return (n ?? []).map((t) => ({
    kind: t.kind,
    url: t.url ?? PAGERDUTY_URL,
    events: t.events ?? [...NOTIFY_EVENTS],
    ...(t.routingKeyEnv ? { routingKeyEnv: t.routingKeyEnv } : {}),
    ...(t.secretEnv ? { secretEnv: t.secretEnv } : {}),
  }));
}
