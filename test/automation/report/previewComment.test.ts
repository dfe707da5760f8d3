// The pull-request comment never misleads: creates are named, each stack says the commit, the time and the run it
// previewed, a failed stack shows as failed with the run's link, long sections fold, a push that affects no stack
// says so, and "what merging ships" gives each affected stack's release plan.
import { strict as assert } from "node:assert";
import { PREVIEW_MARKER, renderPreviewMarkdown } from "../../../automation/report/preview";
import { FOLD_LINES, noStackMarkdown, PreviewContext, releaseOutline } from "../../../automation/report/previewContext";
import type { PreviewResult, ResourceChange } from "../../../automation/types";
import { parseStackConfig } from "../../../stacks/config";
import { baseConfig } from "../fakes";
import { devPreview, prodPreview } from "./fixtures";

const SHA = "3f2a9c1e5b7d4a6c8e0f1a2b3c4d5e6f7a8b9c0d";
const RUN = "https://github.com/acme/slipway/actions/runs/4242";
const ctx: PreviewContext = { commit: SHA, at: "2026-12-01T10:00:00.000Z", runUrl: RUN };

describe("the preview comment: what it says of each stack", () => {
  it("names every resource it creates, not only their count", () => {
    const md = renderPreviewMarkdown([devPreview], ctx);
    assert.match(
      md,
      /#### Creations \(2\)\n\n- `kubernetes:apps\/v1:Deployment` \*\*api-gateway-canary\*\*\n- `kubernetes:core\/v1:Service` \*\*api-gateway-canary\*\*/,
    );
  });

  it("says in each stack's section the commit previewed, when, and links the run", () => {
    const md = renderPreviewMarkdown([devPreview, prodPreview], ctx);
    const line = `Previewed commit \`${SHA.slice(0, 12)}\` at 2026-12-01T10:00:00.000Z in [run 4242](${RUN}).`;
    assert.equal(md.split(line).length - 1, 2);
  });

  it("shows a stack whose preview failed as failed, in the table and its own section, with the run's link", () => {
    const md = renderPreviewMarkdown([prodPreview], {
      ...ctx,
      failed: [{ stack: "dev", message: "engine exited 255" }],
    });
    assert.match(md, /\| dev \| FAILED \|/);
    assert.match(md, /### Stack `dev`: preview FAILED\n\nPreviewed commit/);
    assert.match(
      md,
      /\*\*The preview failed\*\*, so this comment cannot say what would change: engine exited 255\. See \[run 4242\]/,
    );
  });

  it("folds a long section into <details>, keeping the headline visible; a short one stays open", () => {
    const many: ResourceChange[] = Array.from({ length: FOLD_LINES + 5 }, (_, i) => ({
      urn: `urn:pulumi:dev::slipway::kubernetes:core/v1:ConfigMap::cm-${i}`,
      type: "kubernetes:core/v1:ConfigMap",
      name: `cm-${i}`,
      op: "create",
      properties: [],
    }));
    const long: PreviewResult = { ...prodPreview, stack: "dev", changes: many, counts: {} };
    const md = renderPreviewMarkdown([long, prodPreview], ctx);
    assert.match(
      md,
      /30 to create \(preview took .*\)\n\n<details>\n<summary>Details of stack dev \(\d+ lines\)<\/summary>\n\n#### Creations \(30\)/,
    );
    assert.equal((md.match(/<details>/g) ?? []).length, 1);
  });

  it("links only a plain https run URL; anything else is shown as escaped text", () => {
    const md = renderPreviewMarkdown([prodPreview], { ...ctx, runUrl: "javascript:alert(1)//x" });
    assert.doesNotMatch(md, /\]\(javascript/);
  });
});

describe("the preview comment: no stack, and what merging ships", () => {
  it("says no stack is affected by the commit, with the time and the run", () => {
    const md = noStackMarkdown(PREVIEW_MARKER, ctx);
    assert.equal(md.split("\n")[0], PREVIEW_MARKER);
    assert.match(
      md,
      /No stack affected by `3f2a9c1e5b7d` \(checked 2026-12-01T10:00:00\.000Z, \[run 4242\]\(https:\/\/github\.com/,
    );
  });

  it("gives each affected stack's release plan from its canary policy", () => {
    const canary = {
      steps: [10, 50, 100],
      interval: "2m",
      bake: "10m",
      analysis: [
        {
          provider: "prometheus",
          url: "http://prometheus.monitoring.svc.cluster.local:9090",
          query: "error_rate",
          max: 0.01,
        },
      ],
    };
    const c = parseStackConfig("prod", baseConfig("prod", { "slipway:canary": JSON.stringify(canary) }));
    const lines = releaseOutline(c);
    assert.equal(lines[0], "canary 10% → 50% → 100%, a step every 2 min");
    assert.match(lines[1], /^gates after each step: prometheus error_rate ≤ 0\.01/);
    assert.ok(lines.includes("bake 10 min with the previous version kept"));
    assert.ok(
      lines.some((l) => /1 approval\(s\) in the prod environment, four-eyes/.test(l)),
      lines.join("\n"),
    );
    const md = renderPreviewMarkdown([prodPreview], { ...ctx, ships: [{ stack: "prod", lines }] });
    assert.match(md, /### What merging ships\n\n\*\*`prod`\*\*\n\n- canary 10% → 50% → 100%, a step every 2 min/);
  });
});
