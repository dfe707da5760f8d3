import { strict as assert } from "node:assert";
import {
  countsOf,
  MAX_LISTED,
  PREVIEW_MARKER,
  renderPreviewMarkdown,
  renderPreviewText,
} from "../../../automation/report/preview";
import type { PreviewResult } from "../../../automation/types";
import { devPreview, prodPreview, violation } from "./fixtures";

const report = renderPreviewMarkdown([devPreview, prodPreview]);
const section = (stack: string) => report.slice(report.indexOf(`### Stack \`${stack}\``));

describe("#preview report", () => {
  it("starts with the sticky-comment marker", () => {
    assert.equal(report.split("\n")[0], PREVIEW_MARKER);
    assert.equal(PREVIEW_MARKER, "<!-- slipway-preview-report -->");
  });

  it("counts creates, updates, replaces and deletes per stack", () => {
    assert.match(report, /\| dev \| 2 \| 1 \| 1 \| 1 \| 1 \| 1 \| 1 \|/);
    assert.match(report, /\| prod \| 0 \| 0 \| 0 \| 0 \| 0 \| 0 \| 0 \|/);
    assert.match(section("dev"), /2 to create · 1 to update · 1 to replace · 1 to delete \(preview took 4\.2 s\)/);
    assert.match(section("prod"), /No changes/);
  });

  it("calls out each replacement and deletion by resource, with the properties that force it", () => {
    const dev = section("dev");
    assert.match(
      dev,
      /#### Replacements \(1\)\n\n- `aws:rds\/instance:Instance` \*\*data-db\*\* \(`engineVersion`, `storageEncrypted`\)/,
    );
    assert.match(
      dev,
      /#### Deletions \(1\)\n\n- `aws:elasticache\/replicationGroup:ReplicationGroup` \*\*data-cache\*\*/,
    );
    assert.match(dev, /`urn:pulumi:dev::slipway::aws:rds\/instance:Instance::data-db`/);
  });

  it("groups violations by level, mandatory first, and says the stack is refused", () => {
    const dev = section("dev");
    assert.match(dev, /\*\*Refused:\*\* 1 mandatory policy violation/);
    const mandatory = dev.indexOf("**mandatory** (1)");
    const advisory = dev.indexOf("**advisory** (1)");
    assert.ok(mandatory > 0 && advisory > mandatory, "mandatory listed before advisory");
    assert.match(
      dev,
      /- `k8s-resource-limits` on `kubernetes:apps\/v1:Deployment` \*\*api-gateway-canary\*\*: Deployment must set CPU/,
    );
  });

  it("lists checks not verifiable at preview in their own section, not as violations", () => {
    const dev = section("dev");
    const at = dev.indexOf("#### Not verifiable at preview (1)");
    assert.ok(at > dev.indexOf("#### Policy violations"));
    assert.match(dev.slice(at), /`rds-storage-encrypted` on `aws:rds\/instance:Instance` \*\*data-db\*\*/);
    assert.ok(!dev.slice(0, at).includes("rds-storage-encrypted"));
  });
});

describe("#preview report: escaping, limits and the terminal", () => {
  it("escapes Markdown in messages", () => {
    const r: PreviewResult = { ...prodPreview, violations: [violation({ message: "a | b <script> *bold*\nnext" })] };
    const md = renderPreviewMarkdown([r]);
    assert.match(md, /a \\\| b &lt;script&gt; \\\*bold\\\* next/);
  });

  it("caps long lists so the comment stays within limits", () => {
    const changes = Array.from({ length: MAX_LISTED + 7 }, (_, i) => ({
      urn: `urn:${i}`,
      type: "t",
      name: `r${i}`,
      op: "delete" as const,
      properties: [],
    }));
    const md = renderPreviewMarkdown([{ ...prodPreview, changes }]);
    assert.match(md, /- … and 7 more/);
    assert.match(md, /\| prod \| 0 \| 0 \| 0 \| 57 \|/);
  });

  it("prefers the engine's counts and falls back to counting changes", () => {
    assert.deepEqual(countsOf(devPreview), { create: 2, update: 1, replace: 1, delete: 1 });
    assert.deepEqual(countsOf({ ...devPreview, counts: {} }), { create: 2, update: 1, replace: 1, delete: 1 });
  });

  it("says so when nothing was previewed", () => {
    assert.match(renderPreviewMarkdown([]), /No stack was previewed/);
  });

  it("prints a terminal summary", () => {
    const text = renderPreviewText([devPreview]);
    assert.match(text, /^dev: 2 to create, 1 to update, 1 to replace, 1 to delete \(4\.2 s\)/);
    assert.match(text, /\+- aws:rds\/instance:Instance data-db \(engineVersion, storageEncrypted\)/);
    assert.match(text, /\[mandatory\] k8s-resource-limits on api-gateway-canary/);
    assert.match(text, /\[not verifiable at preview\] rds-storage-encrypted on data-db/);
  });
});
