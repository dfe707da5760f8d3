// One formatter per target kind, each a pure function of a notice: the Slack incoming-webhook message ({text,
// blocks}), the Microsoft Teams message carrying an Adaptive Card, the PagerDuty Events API v2 event, and the generic
// webhook's JSON body (signed by ./send.ts). Every line says what happened, the version, the stack, the failed gate
// and its value, and links the run.
import type { Notice } from "./events";

/** The facts every message lists, in order; absent ones left out. */
export function facts(n: Notice): Array<[string, string]> {
  const g = n.gate;
  const gate =
    g &&
    `${g.name}${g.value !== undefined ? ` = ${g.value}` : ""}${g.threshold !== undefined ? ` (threshold ${g.threshold})` : ""}: ${g.detail}`;
  const rows: Array<[string, string | undefined]> = [
    ["Event", n.event],
    ["Stack", n.stack],
    ["Version", n.version],
    ["Failed gate", gate],
    ["Resources", n.resources?.join(", ")],
    ["At", n.at],
    ["Run", n.runUrl],
  ];
  return rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== "");
}

const SAFE_LINK = /^https:\/\/[^\s<>|]+$/;

export function slackMessage(n: Notice): { text: string; blocks: unknown[] } {
  const text = `slipway: ${n.summary}`;
  const fields = facts(n)
    .filter(([k]) => k !== "Run")
    .map(([k, v]) => ({
      type: "mrkdwn",
      text: `*${k}*\n${v.replace(/[<>&]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[c]!)}`,
    }));
  const blocks: unknown[] = [
    { type: "section", text: { type: "plain_text", text } },
    { type: "section", fields: fields.slice(0, 10) },
  ];
  if (n.runUrl && SAFE_LINK.test(n.runUrl))
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `<${n.runUrl}|the run>` }] });
  return { text, blocks };
}

export function teamsMessage(n: Notice): unknown {
  const card = {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    body: [
      { type: "TextBlock", text: `slipway: ${n.summary}`, weight: "Bolder", wrap: true },
      { type: "FactSet", facts: facts(n).map(([title, value]) => ({ title, value })) },
    ],
    actions:
      n.runUrl && SAFE_LINK.test(n.runUrl) ? [{ type: "Action.OpenUrl", title: "Open the run", url: n.runUrl }] : [],
  };
  return {
    type: "message",
    attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: card }],
  };
}

/** A trigger for what needs a person (a failure, a hold, drift); a resolve when the promotion completed. */
export function pagerdutyEvent(n: Notice, routingKey: string): unknown {
  const resolve = n.event === "completed";
  const severity = n.event === "gate-failed" || n.event === "rolled-back" || n.event === "held" ? "error" : "warning";
  return {
    routing_key: routingKey,
    event_action: resolve ? "resolve" : "trigger",
    dedup_key: `slipway/${n.stack}/${n.event === "drift-detected" ? "drift" : n.promotionId}`,
    payload: {
      summary: `slipway: ${n.summary}`.slice(0, 1024),
      source: `slipway/${n.stack}`,
      severity: n.event === "step-passed" || n.event === "completed" ? "info" : severity,
      custom_details: Object.fromEntries(facts(n)),
    },
    ...(n.runUrl && SAFE_LINK.test(n.runUrl) ? { links: [{ href: n.runUrl, text: "the run" }] } : {}),
  };
}

export function webhookBody(n: Notice): unknown {
  return { source: "slipway", ...n };
}
