// The command line and config of pauses and reviewed plans, and the job summary sink: refused by name before anything
// runs, or parsed into the promotion's arguments.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgv } from "../../../automation/cli/argv";
import { summarySink } from "../../../automation/cli/github";
import { checkSteps, splitSteps, stepsText } from "../../../contract/release";
import { parseStackConfig } from "../../../stacks/config";
import { baseConfig } from "../fakes";

const STACKS = ["dev", "staging", "prod", "local"];
const P = ["promote", "--stack", "dev", "--version", "1.4.0"];
const args = (argv: string[]) => (parseArgv(argv, STACKS) as unknown as { args: Record<string, unknown> }).args;

describe("#pause and plan flags: refusals", () => {
  const BAD: Array<[string[], RegExp]> = [
    [[...P, "--steps", "pause,10,100"], /--steps "pause,10,100".*a pause goes between two weights/],
    [[...P, "--steps", "10,pause,pause,100"], /--steps/],
    [[...P, "--steps", "10,100,pause"], /--steps/],
    [[...P, "--steps", "10,PAUSE,100"], /--steps/],
    [["promote", "--stack", "dev", "--continue", "--steps", "10,100"], /--continue .*drop --steps/],
    [["promote", "--stack", "dev", "--continue", "--dry-run"], /--continue .*drop --dry-run/],
    [[...P, "--plan-out", "plan.json"], /--plan-out writes the plan of a dry run: add --dry-run/],
    [[...P, "--dry-run", "--plan-digest", "a".repeat(64)], /check an apply: drop them with --dry-run/],
    [[...P, "--plan-digest", "abc"], /--plan-digest "abc": give the 64 hex digits/],
    [[...P, "--plan-url", "https://x.example/p"], /go with --plan-digest/],
    [
      [...P, "--plan-digest", "a".repeat(64), "--plan-url", "https://u:p@x.example/p"],
      /--plan-url .*without credentials/,
    ],
  ];
  for (const [argv, why] of BAD)
    it(`refuses ${argv.slice(3).join(" ")}`, () => assert.throws(() => parseArgv(argv, STACKS), why));
});

describe("#pause and plan flags: parsing", () => {
  it("parses --steps 10,30,pause,100 into weights and the step a pause follows", () => {
    const a = args([...P, "--steps", "10,30,pause,100"]);
    assert.deepEqual([a.steps, a.pauseAfter], [[10, 30, 100], [1]]);
  });

  it("parses --continue without --version", () => {
    const a = args(["promote", "--stack", "dev", "--continue"]);
    assert.deepEqual([a.continue, a.version], [true, ""]);
  });

  it("parses the reviewed plan's digest, file and link", () => {
    const digest = "0123456789abcdef".repeat(4);
    const a = args([...P, "--plan-digest", digest, "--plan-file", "plan.json", "--plan-url", "https://x.example/p"]);
    assert.deepEqual([a.planDigest, a.planFile, a.planUrl], [digest, "plan.json", "https://x.example/p"]);
  });
});

describe("#pause in the release contract and the stack config", () => {
  const TABLE: Array<[unknown[], boolean]> = [
    [[10, "pause", 100], true],
    [[10, 30, "pause", 100], true],
    [[10, "pause", 30, "pause", 100], true],
    [["pause", 100], false],
    [[10, 100, "pause"], false],
    [[10, "pause", "pause", 100], false],
    [[30, "pause", 10, 100], false],
  ];
  for (const [steps, ok] of TABLE)
    it(`${ok ? "takes" : "refuses"} ${JSON.stringify(steps)}`, () => assert.equal(checkSteps(steps) === undefined, ok));

  it("splits and joins the steps the same way", () => {
    assert.deepEqual(splitSteps([10, 30, "pause", 100]), { steps: [10, 30, 100], pauseAfter: [1] });
    assert.equal(stepsText([10, 30, 100], [1]), "10,30,pause,100");
  });

  it("reads slipway:canary steps with a pause and onNoData: pause on a prometheus gate", () => {
    const canary = {
      steps: [10, "pause", 100],
      analysis: [{ provider: "prometheus", url: "http://127.0.0.1:9090", query: "up", max: 1, onNoData: "pause" }],
    };
    const c = parseStackConfig("dev", baseConfig("dev", { "slipway:canary": JSON.stringify(canary) }));
    assert.deepEqual([c.canary.steps, c.canary.pauseAfter], [[10, 100], [0]]);
    assert.equal(c.canary.analysis[0].onNoData, "pause");
  });

  it("refuses a pause first in slipway:canary steps, naming the key", () => {
    const bad = baseConfig("dev", { "slipway:canary": JSON.stringify({ steps: ["pause", 100] }) });
    assert.throws(() => parseStackConfig("dev", bad), /slipway:canary\.steps.*a pause goes between two weights/s);
  });
});

describe("#job summary sink", () => {
  it("appends masked Markdown to GITHUB_STEP_SUMMARY, and is absent outside GitHub Actions", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "slipway-summary-")), "summary.md");
    fs.writeFileSync(file, "# earlier step\n");
    const sink = summarySink({ GITHUB_STEP_SUMMARY: file })!;
    sink("## slipway promote\n\nurl https://user:hunter2@prom.example/q");
    const text = fs.readFileSync(file, "utf8");
    assert.ok(text.startsWith("# earlier step\n## slipway promote"), "appended, not replaced");
    assert.ok(!text.includes("hunter2"), "credentials masked");
    assert.equal(summarySink({}), undefined);
  });
});
