// Hostile inputs for the renderers: secrets of every kind the masker must find, and strings that would break out of
// their format. Each renderer turns one stack's preview, refresh or change record into text.
import type { Export } from "../../../automation/report/changeRecords";
import { renderAuditHtml, renderAuditJson, renderAuditMarkdown } from "../../../automation/report/audit";
import { renderDriftJson, renderDriftMarkdown, renderDriftText } from "../../../automation/report/drift";
import { renderPreviewMarkdown, renderPreviewText } from "../../../automation/report/preview";
import { renderSarif } from "../../../automation/report/sarif";
import { deliveryReport, DeliveryReport } from "../../../automation/report/delivery";
import {
  renderDeliveryHtml,
  renderDeliveryJson,
  renderDeliveryMarkdown,
  renderDeliveryText,
} from "../../../automation/report/deliveryRender";
import type { ResourceChange } from "../../../automation/types";
import { violation } from "./fixtures";

export interface Hostile {
  /** A resource whose change carries the input, and text (an error, a policy message, a verdict) that repeats it. */
  change: ResourceChange;
  echo: string;
  /** What a resource, URN, path or verdict is called, for the escaping tables. */
  name?: string;
}

const URN = "urn:pulumi:dev::slipway::kubernetes:apps/v1:Deployment::api";

export function changeOf(values: ResourceChange["values"], name = "api", urn = URN): ResourceChange {
  return {
    urn,
    type: "kubernetes:apps/v1:Deployment",
    name,
    op: "update",
    properties: Object.keys(values ?? {}),
    values,
  };
}

function preview(h: Hostile) {
  const v = violation({ message: h.echo, urn: h.change.urn, resourceName: h.change.name, resourceType: h.change.type });
  return [{ stack: "dev", durationMs: 1000, counts: {}, changes: [h.change], violations: [v] }];
}

function drift(h: Hostile) {
  return [{ stack: "dev", durationMs: 1000, drifted: [h.change] }];
}

export function auditExport(h: Hostile): Export {
  const at = "2026-11-22T08:00:00.000Z";
  const verdict = { gate: h.name ?? "http", ok: false, detail: h.echo, durationMs: 5 };
  const step = { step: 0, weight: 10, startedAt: at, endedAt: at, durationMs: 5, ok: false, verdicts: [verdict] };
  const summary = {
    counts: { update: 1 },
    replacements: [],
    deletions: [],
    policy: {
      mandatory: 1,
      advisory: 0,
      violations: [{ policyName: "p", level: "mandatory" as const, message: h.echo }],
    },
    changes: [h.change],
  };
  return {
    stack: "dev",
    since: at,
    generatedAt: at,
    chain: { ok: true, entries: 3, adopted: 0, head: "abc" },
    records: [
      {
        id: "p1",
        stack: "dev",
        kind: "promote",
        version: "1.4.0",
        startedAt: at,
        endedAt: at,
        outcome: "failed",
        detail: h.echo,
        reason: h.echo,
        changes: [{ label: "step 1 (weight 10%)", summary }],
        steps: [step],
        hooks: [{ hook: h.name ?? "migrate", irreversible: false, startedAt: at, ok: false, detail: h.echo }],
        updates: [],
      },
    ],
  };
}

/** Delivery figures over a promotion whose stack, id, version and commit carry the input. */
function delivery(h: Hostile): DeliveryReport {
  const at = "2026-11-22T08:00:00.000Z";
  const runs = [
    {
      stack: h.echo,
      id: h.echo,
      kind: "promote" as const,
      version: h.echo,
      startedAt: at,
      endedAt: at,
      end: "completed" as const,
      commit: h.echo,
    },
  ];
  return deliveryReport({
    runs,
    stacks: [h.echo, "dev"],
    untilMs: Date.parse("2026-11-30T00:00:00Z"),
    generatedAt: at,
  });
}

/** The pull-request comment with its context: a failed stack's error, the run and the release plan carry the input. */
function previewWithContext(h: Hostile): string {
  const ctx = {
    commit: h.echo,
    at: h.echo,
    runUrl: h.echo,
    failed: [{ stack: h.echo, message: h.echo }],
    ships: [{ stack: h.echo, lines: [h.echo] }],
  };
  return renderPreviewMarkdown(preview(h), ctx);
}

export type Format = "text" | "markdown" | "json" | "html";
export const RENDERERS: Array<[string, Format, (h: Hostile) => string]> = [
  ["preview Markdown", "markdown", (h) => renderPreviewMarkdown(preview(h))],
  ["preview text", "text", (h) => renderPreviewText(preview(h))],
  ["SARIF", "json", (h) => renderSarif(preview(h))],
  ["drift text", "text", (h) => renderDriftText(drift(h))],
  ["drift JSON", "json", (h) => renderDriftJson(drift(h))],
  ["drift Markdown", "markdown", (h) => renderDriftMarkdown(drift(h))],
  ["audit JSON", "json", (h) => renderAuditJson(auditExport(h))],
  ["audit Markdown", "markdown", (h) => renderAuditMarkdown(auditExport(h))],
  ["audit HTML", "html", (h) => renderAuditHtml(auditExport(h))],
  ["preview Markdown with its context", "markdown", previewWithContext],
];

/** Renderers of data with no secret-by-key context (the delivery figures): checked for escaping only. */
export const ESCAPING_ONLY: Array<[string, Format, (h: Hostile) => string]> = [
  ["delivery text", "text", (h) => renderDeliveryText(delivery(h))],
  ["delivery Markdown", "markdown", (h) => renderDeliveryMarkdown(delivery(h))],
  ["delivery JSON", "json", (h) => renderDeliveryJson(delivery(h))],
  ["delivery HTML", "html", (h) => renderDeliveryHtml(delivery(h))],
];
