// `slipway preview` writes a report that never misleads: a stack whose preview fails is written as failed (and the
// command still fails), and each section names the commit, the time and the run.
import { strict as assert } from "assert";
import { run } from "../../../automation/cli/entry";
import { renderPreviewMarkdown } from "../../../automation/report/preview";
import { baseConfig, FakeEngine, harness, Harness } from "../fakes";

async function cli(h: Harness, argv: string[]) {
  let err = "";
  const code = await run(argv, ["dev", "staging", "prod", "local"], async () => h.deps, {
    stdout: () => undefined,
    stderr: (t) => (err += t),
  });
  return { code, err };
}

class FailingEngine extends FakeEngine {
  async preview(stack: string) {
    if (stack === "staging") throw new Error("pulumi preview exited 255: error: no credentials");
    return super.preview(stack);
  }
}

describe("slipway preview: the report of every stack asked", () => {
  it("writes a failed section for a stack whose preview failed, keeps the others, and exits 1", async () => {
    const h = harness(new FailingEngine({ dev: baseConfig("dev"), staging: baseConfig("staging") }));
    h.deps.renderers.previewMarkdown = renderPreviewMarkdown;
    h.deps.commit = "0123456789abcdef0123456789abcdef01234567";
    const r = await cli(h, ["preview", "--stack", "dev,staging", "--markdown", "p.md"]);
    assert.equal(r.code, 1);
    const md = h.files.get("p.md")!;
    assert.match(md, /### Stack `dev`\n\nPreviewed commit `0123456789ab` at 2026-11-22T08:00:00\.\d+Z\./);
    assert.match(md, /### Stack `staging`: preview FAILED[\s\S]*pulumi preview exited 255: error: no credentials/);
    assert.match(md, /### What merging ships\n\n\*\*`dev`\*\*\n\n- canary 10% → 30% → 100%/);
  });

  it("links the GitHub Actions run and names GITHUB_SHA in CI", async () => {
    const h = harness(new FakeEngine({ dev: baseConfig("dev") }));
    h.deps.renderers.previewMarkdown = renderPreviewMarkdown;
    h.deps.ci = {
      apiUrl: "https://api.github.com",
      serverUrl: "https://github.com",
      repository: "acme/slipway",
      runId: "77",
      token: "t",
      sha: "feedfacefeedfacefeedfacefeedfacefeedface",
    };
    assert.equal((await cli(h, ["preview", "--stack", "dev", "--markdown", "p.md"])).code, 0);
    assert.match(
      h.files.get("p.md")!,
      /Previewed commit `feedfacefeed` at .* in \[run 77\]\(https:\/\/github\.com\/acme\/slipway\/actions\/runs\/77\)\./,
    );
  });
});
