import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { Command } from "commander";
import { buildProgram } from "../../automation/cli/entry";
import { affectedStacks } from "../../automation/cli/affected";

const root = join(__dirname, "..", "..");
const dir = join(root, ".github", "workflows");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };

interface Step {
  uses?: string;
  run?: string;
  name?: string;
  id?: string;
  env?: Record<string, string>;
}
interface Job {
  steps: Step[];
  permissions?: Record<string, string>;
  environment?: string;
}
interface Workflow {
  on: unknown;
  permissions?: Record<string, string>;
  concurrency?: unknown;
  jobs: Record<string, Job>;
}

const workflows = readdirSync(dir)
  .filter((f) => f.endsWith(".yml"))
  .map((file) => ({ file, wf: parse(readFileSync(join(dir, file), "utf8")) as Workflow }));
const steps = workflows.flatMap(({ file, wf }) =>
  Object.entries(wf.jobs).flatMap(([job, j]) => j.steps.map((step) => ({ file, job, step }))),
);
const runLines = steps
  .filter((s) => s.step.run)
  .flatMap((s) =>
    s.step
      .run!.split("\n")
      .map((l) => l.trim())
      .filter((l) => l.length > 0)
      .map((line) => ({ ...s, line })),
  );

/** The resource plugin version an installed @pulumi package asks the engine for (its package.json `pulumi` block). */
function pluginVersion(plugin: string): string {
  const meta = JSON.parse(readFileSync(join(root, "node_modules", "@pulumi", plugin, "package.json"), "utf8")) as {
    version: string;
    pulumi?: { version?: string };
  };
  return meta.pulumi?.version ?? meta.version;
}

/** Splits a shell line into words; `${VAR:+words}` contributes its words, `"$X"` one placeholder word. */
function words(line: string): string[] {
  const expanded = line.replace(/\$\{[A-Z_]+:\+([^}]*)\}/g, " $1 ");
  return (expanded.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^["']|["']$/g, ""));
}

function longFlags(cmd: Command): Set<string> {
  const flags = new Set<string>(["--help"]);
  for (const o of [...cmd.options, ...(cmd.parent?.options ?? [])]) if (o.long) flags.add(o.long);
  return flags;
}

describe("GitHub workflows", () => {
  it("ship the preview, promote, rollback and drift workflows", () => {
    assert.deepEqual(workflows.map((w) => w.file).sort(), ["drift.yml", "preview.yml", "promote.yml", "rollback.yml"]);
  });

  it("pin every action to a commit", () => {
    for (const { file, step } of steps.filter((s) => s.step.uses)) {
      const ref = step.uses!.split("@")[1] ?? "";
      assert.match(ref, /^[0-9a-f]{40}$/, `${file}: ${step.uses} is not pinned to a commit`);
    }
  });

  it("install the program's plugins with the CLI's own command right after the CLI, at the versions package.json pins", () => {
    for (const { file, wf } of workflows) {
      for (const [name, job] of Object.entries(wf.jobs)) {
        const cli = job.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
        if (cli < 0) continue;
        const installs = (job.steps[cli + 1]?.run ?? "").split("\n").filter((l) => l.trim() !== "");
        assert.ok(installs.length > 0, `${file}/${name}: no plugin install after the CLI`);
        const seen = installs.map((line) => {
          const [, plugin, version] = /^pulumi plugin install resource (\S+) (\S+)$/.exec(line.trim()) ?? [];
          assert.ok(plugin, `${file}/${name}: "${line.trim()}" is not a plugin install`);
          assert.equal(version, pluginVersion(plugin), `${file}/${name}: ${plugin} differs from package.json`);
          return plugin;
        });
        assert.ok(seen.includes("kubernetes"), `${file}/${name}: the kubernetes provider is not installed`);
      }
    }
  });

  it("declare least-privilege permissions at the top: read-only contents", () => {
    for (const { file, wf } of workflows) assert.deepEqual(wf.permissions, { contents: "read" }, file);
  });

  it("serialize runs per stack with a concurrency group", () => {
    for (const { file, wf } of workflows) {
      const text = JSON.stringify(wf);
      assert.ok(wf.concurrency !== undefined, `${file} has no workflow concurrency`);
      assert.match(text, /stack-|drift|preview-/, file);
    }
  });
});

describe("GitHub workflows: credentials, commands and approvals", () => {
  it("reach AWS only by assuming a role through OIDC, never with long-lived keys", () => {
    const all = workflows.map((w) => readFileSync(join(dir, w.file), "utf8")).join("\n");
    assert.doesNotMatch(all, /AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
    for (const { file, job, step } of steps.filter((s) => s.step.uses?.startsWith("aws-actions/"))) {
      const j = workflows.find((w) => w.file === file)!.wf.jobs[job];
      assert.equal(j.permissions?.["id-token"], "write", `${file}/${job} needs id-token: write for OIDC`);
      assert.ok(JSON.stringify(step).includes("role-to-assume"), `${file}/${job} must assume a role`);
    }
  });

  it("run only npm scripts that exist and slipway commands with flags that exist", () => {
    const program = buildProgram();
    assert.ok(runLines.length >= 8);
    for (const { file, line } of runLines) {
      const w = words(line);
      if (w[0] === "npm" && w[1] === "ci") continue;
      if (w.slice(0, 3).join(" ") === "pulumi plugin install") continue;
      if (w[0] === "npm" && w[1] === "run") {
        const script = w.slice(2).find((x) => !x.startsWith("-"));
        assert.ok(script && pkg.scripts[script], `${file}: "${line}" calls a missing npm script`);
        continue;
      }
      assert.deepEqual(w.slice(0, 2), ["npx", "slipway"], `${file}: "${line}" is neither an npm script nor slipway`);
      const cmd = program.commands.find((c) => c.name() === w[2]);
      assert.ok(cmd, `${file}: slipway has no command "${w[2]}"`);
      const known = longFlags(cmd);
      for (const flag of w.filter((x) => x.startsWith("--"))) {
        assert.ok(known.has(flag), `${file}: slipway ${w[2]} has no flag ${flag}`);
      }
    }
  });

  it("promote with a verified approval: the job runs in the stack's environment, reads it with the job's token, names no approver", () => {
    const wf = workflows.find((w) => w.file === "promote.yml")!.wf;
    const job = wf.jobs.promote;
    assert.equal(
      job.environment,
      "${{ inputs.stack }}",
      "prod runs in the prod environment, whose required reviewers approve the run",
    );
    assert.deepEqual(job.permissions, {
      contents: "read",
      actions: "read",
      deployments: "write",
      "id-token": "write",
    });
    const slipwaySteps = job.steps.filter((s) => /npx slipway promote/.test(s.run ?? ""));
    assert.equal(slipwaySteps.length, 2);
    for (const s of slipwaySteps) {
      assert.equal(s.env?.GITHUB_TOKEN, "${{ github.token }}", `${s.id} passes the job's token`);
      assert.doesNotMatch(s.run!, /--approved-by/, `${s.id} must not name its own approver`);
    }
    assert.doesNotMatch(JSON.stringify(wf.on), /approved_by/);
  });

  it("fail the preview job on a mandatory violation: the preview step is not allowed to continue on error", () => {
    const preview = steps.find((s) => s.file === "preview.yml" && s.step.id === "preview");
    assert.ok(preview);
    assert.equal((preview.step as { "continue-on-error"?: boolean })["continue-on-error"], undefined);
  });
});

describe("affected stacks of a pull request", () => {
  it("previews only the stack whose file changed", () => {
    assert.deepEqual(affectedStacks(["stacks/Pulumi.staging.yaml"]), ["staging"]);
  });
  it("previews every stack when the program, a component or a policy changes", () => {
    assert.deepEqual(affectedStacks(["components/service.ts"]), ["dev", "staging", "prod"]);
    assert.deepEqual(affectedStacks(["policies/nonRoot.ts", "README.md"]), ["dev", "staging", "prod"]);
    assert.deepEqual(affectedStacks(["package-lock.json"]), ["dev", "staging", "prod"]);
  });
  it("previews nothing for documentation, tests or the local stack", () => {
    assert.deepEqual(affectedStacks(["docs/cli.md", "test/stacks/dev.test.ts", "stacks/Pulumi.local.yaml"]), []);
  });
});

describe("GitHub workflows: the reviewed plan and the pause", () => {
  const promoteWf = () => workflows.find((w) => w.file === "promote.yml")!.wf;
  it("plans in a job without an environment, uploads the plan, and applies only its digest in the environment", () => {
    const wf = promoteWf();
    const plan = wf.jobs.plan;
    assert.equal(plan.environment, undefined, "the plan is shown before anyone approves");
    assert.ok(plan.steps.some((s) => /--dry-run --plan-out plan\.json/.test(s.run ?? "")));
    assert.ok(plan.steps.some((s) => s.uses?.startsWith("actions/upload-artifact@")));
    const promote = wf.jobs.promote as Job & { needs?: string };
    assert.equal(promote.needs, "plan");
    assert.ok(promote.steps.some((s) => s.uses?.startsWith("actions/download-artifact@")));
    for (const s of promote.steps.filter((x) => /npx slipway promote/.test(x.run ?? ""))) {
      assert.match(s.run!, /--plan-digest "\$PLAN_DIGEST"/);
      assert.equal(s.env?.PLAN_DIGEST, "${{ needs.plan.outputs.digest }}");
    }
  });

  it("continues a paused promotion in the stack's environment when asked to", () => {
    const wf = promoteWf();
    assert.match(JSON.stringify(wf.on), /"continue"/);
    const job = wf.jobs.continue;
    assert.equal(job.environment, "${{ inputs.stack }}");
    const step = job.steps.find((s) => /npx slipway promote/.test(s.run ?? ""))!;
    assert.match(step.run!, /^npx slipway promote --stack "\$STACK" --continue/);
    assert.equal(step.env?.GITHUB_TOKEN, "${{ github.token }}");
  });
});

describe("GitHub workflows: rollback", () => {
  const wf = () => workflows.find((w) => w.file === "rollback.yml")!.wf;
  it("shows the target and its preview in a job without an environment, changing nothing", () => {
    const target = wf().jobs.target;
    assert.equal(target.environment, undefined, "the target is shown before anyone approves");
    const step = target.steps.find((s) => /npx slipway rollback/.test(s.run ?? ""))!;
    assert.match(step.run!, /--dry-run/);
  });

  it("rolls back in the stack's environment with the job's token, after the target, naming no approver", () => {
    const job = wf().jobs.rollback as Job & { needs?: string };
    assert.equal(job.needs, "target");
    assert.equal(job.environment, "${{ inputs.stack }}");
    assert.deepEqual(job.permissions, { contents: "read", actions: "read", deployments: "write", "id-token": "write" });
    const step = job.steps.find((s) => /npx slipway rollback/.test(s.run ?? ""))!;
    assert.match(step.run!, /^npx slipway rollback --stack "\$STACK" --reason "\$REASON"/);
    assert.doesNotMatch(step.run!, /--dry-run|--approved-by/);
    assert.equal(step.env?.GITHUB_TOKEN, "${{ github.token }}");
    assert.deepEqual(
      wf().concurrency,
      { group: "stack-${{ inputs.stack }}", "cancel-in-progress": false },
      "one run per stack with promote",
    );
  });
});
