import { strict as assert } from "assert";
import { run } from "../../../automation/cli/entry";
import { parseArgv, stacksOfArgv } from "../../../automation/cli/argv";

const STACKS = ["dev", "staging", "prod", "local"];
const P = ["promote", "--stack", "dev", "--version", "1.4.0"];

/** argv -> the argument the one-line message must name. */
const BAD: Array<[string[], RegExp]> = [
  [["promote", "--version", "1.4.0"], /--stack is required/],
  [
    ["promote", "--stack", "qa", "--version", "1.4.0"],
    /--stack "qa" is not a stack here: use one of dev, staging, prod, local/,
  ],
  [["promote", "--stack", "", "--version", "1.4.0"], /--stack is empty/],
  [["promote", "--stack", "dev"], /--version is required/],
  [["promote", "--stack", "dev", "--version", "latest"], /--version "latest" is not allowed: .*never latest/],
  [["promote", "--stack", "dev", "--version", "1.4"], /--version "1.4" is not allowed/],
  [["promote", "--stack", "dev", "--version", "1.4.0.1"], /--version "1.4.0.1" is not allowed/],
  [["promote", "--stack", "dev", "--version", "01.4.0"], /--version "01.4.0" is not allowed/],
  [["promote", "--stack", "dev", "--version", "1.4.0+build.7"], /--version "1.4.0\+build.7" is not allowed/],
  [["promote", "--stack", "dev", "--version", "api:1.4.0"], /--version "api:1.4.0" is not allowed/],
  [[...P, "--steps", "30,10,100"], /--steps "30,10,100" is not allowed: set strictly increasing/],
  [[...P, "--steps", "10,10,100"], /--steps "10,10,100" is not allowed/],
  [[...P, "--steps", "10,30,130"], /--steps "10,30,130" is not allowed/],
  [[...P, "--steps=-10,30,100"], /--steps "-10,30,100" is not allowed/],
  [[...P, "--steps", "10,30,90"], /--steps "10,30,90" is not allowed: .*ending at 100/],
  [[...P, "--steps", "10,abc,100"], /--steps "10,abc,100" is not allowed/],
  [[...P, "--steps", "10.5,100"], /--steps "10.5,100" is not allowed/],
  [[...P, "--steps", "0,50,100"], /--steps "0,50,100" is not allowed/],
  [[...P, "--steps", "10,,100"], /--steps "10,,100" is not allowed/],
  [[...P, "--interval", "60"], /--interval "60" is not allowed: set a duration/],
  [[...P, "--interval", "1x"], /--interval "1x" is not allowed/],
  [[...P, "--interval=-5s"], /--interval "-5s" is not allowed/],
  [[...P, "--interval", "1.5m"], /--interval "1.5m" is not allowed/],
  [[...P, "--skip-canary"], /--skip-canary needs --reason/],
  [[...P, "--skip-canary", "--reason", "  "], /--reason is empty/],
  [[...P, "--skip-canary", "--reason", "fix", "--steps", "10,100"], /--skip-canary runs no canary steps/],
  [[...P, "--reason", "because"], /--reason only goes with --skip-canary/],
  [[...P, "--break-glass"], /--break-glass needs --reason/],
  [["up", "--stack", "dev", "--break-glass"], /--break-glass needs --reason/],
  [["up", "--stack", "dev", "--reason", "because"], /--reason only goes with --skip-canary or --break-glass/],
  [["promote", "--stack", "prod", "--version", "1.4.0", "--approved-by", ""], /--approved-by is empty/],
  [["promote", "--stack", "prod", "--version", "1.4.0", "--approved-by", "   "], /--approved-by is empty/],
  [[...P, "--services", "billing-service"], /--services "billing-service" is not a service: use api-gateway/],
  [[...P, "--services", "api-gateway,api-gateway"], /--services "api-gateway,api-gateway" is not allowed: .*repeats/],
  [[...P, "--resume", "--dry-run"], /--resume changes the stack: drop --dry-run/],
  [[...P, "--weight", "10"], /unknown option '--weight'/],
  [["deploy", "--stack", "dev"], /unknown command 'deploy'/],
  [["promote", "--stack"], /option '--stack <name>' argument missing/],
  [["drift", "--force"], /--force only goes with --remediate/],
  [["drift", "--stack", "dev,qa"], /--stack "qa" is not a stack here/],
  [["preview", "--stack", "dev", "--sarif"], /option '--sarif <file>' argument missing/],
  [["history", "--stack", "dev", "--limit", "0"], /--limit "0" is not allowed/],
  [["history", "--stack", "dev", "--limit", "ten"], /--limit "ten" is not allowed/],
  [["abort"], /--stack is required/],
  [["up", "--stack", "qa"], /--stack "qa" is not a stack here/],
  [["status", "extra"], /too many arguments|unknown command/],
];

describe("slipway argv: refusals", () => {
  it(`has at least 30 refused inputs`, () => assert.ok(BAD.length >= 30));
  for (const [argv, message] of BAD) {
    it(`refuses ${argv.join(" ")} with exit 1, one line naming the argument, and no engine call`, async () => {
      let built = 0;
      let err = "";
      const code = await run(
        argv,
        STACKS,
        async () => {
          built++;
          throw new Error("deps built");
        },
        { stdout: () => undefined, stderr: (t) => (err += t) },
      );
      assert.equal(code, 1);
      assert.match(err, message);
      assert.equal(err.trim().split("\n").length, 1);
      assert.equal(built, 0);
    });
  }
});

describe("slipway argv: parsing", () => {
  it("parses a full promote", () => {
    const inv = parseArgv(
      [
        "promote",
        "--stack",
        "prod",
        "--version",
        "v2.0.0-rc.1",
        "--approved-by",
        "Jane Doe",
        "--steps",
        "10,50,100",
        "--interval",
        "90s",
        "--json",
      ],
      STACKS,
    );
    assert.deepEqual(inv, {
      command: "promote",
      args: {
        stack: "prod",
        version: "v2.0.0-rc.1",
        approvedBy: "Jane Doe",
        steps: [10, 50, 100],
        intervalMs: 90_000,
        skipCanary: false,
        breakGlass: false,
        reason: undefined,
        dryRun: false,
        resume: false,
        services: undefined,
        json: true,
      },
    });
  });

  it("parses abort, with --force to route back past an irreversible hook (off unless given)", () => {
    assert.deepEqual(parseArgv(["abort", "--stack", "prod", "--reason", "pager"], STACKS), {
      command: "abort",
      args: { stack: "prod", json: false, reason: "pager", force: false },
    });
    assert.deepEqual(parseArgv(["abort", "--stack", "prod", "--force", "--json"], STACKS), {
      command: "abort",
      args: { stack: "prod", json: true, reason: undefined, force: true },
    });
  });

  it("takes every stack by default and several as a list", () => {
    assert.deepEqual(parseArgv(["drift"], STACKS), {
      command: "drift",
      args: { stacks: STACKS, json: false, markdown: undefined, remediate: false, force: false },
    });
    assert.deepEqual(
      (parseArgv(["status", "--stack", "dev,prod", "--stack", "dev"], STACKS) as { args: { stacks: string[] } }).args
        .stacks,
      ["dev", "prod"],
    );
  });

  it("prints help listing every command", async () => {
    let out = "";
    const code = await run(
      ["--help"],
      STACKS,
      async () => {
        throw new Error("no");
      },
      { stdout: (t) => (out += t), stderr: () => undefined },
    );
    assert.equal(code, 0);
    for (const c of ["preview", "up", "promote", "status", "abort", "drift", "history"])
      assert.match(out, new RegExp(`\\b${c}\\b`));
  });
});

describe("slipway argv: the stacks a command line acts on, parsed once", () => {
  const ROWS: Array<[string[], string[]]> = [
    [["promote", "--stack", "prod", "--version", "1.4.0"], ["prod"]],
    [
      ["status", "--stack=dev,prod", "--stack", "dev"],
      ["dev", "prod"],
    ],
    [["status"], STACKS],
    [["audit", "export", "--stack", "staging", "--since", "2026-11-01", "--format", "md", "--out", "x"], ["staging"]],
    [["promote", "--stack", "qa", "--version", "1.4.0"], STACKS],
    [["--help"], STACKS],
  ];
  for (const [argv, stacks] of ROWS)
    it(`reads ${stacks.join(",")} from ${argv.join(" ")}`, () => assert.deepEqual(stacksOfArgv(argv, STACKS), stacks));

  it("hands the parsed invocation to makeDeps, so the entry builds its dependencies from the same parse", async () => {
    const seen: unknown[] = [];
    await run(
      ["abort", "--stack", "dev", "--json"],
      STACKS,
      async (inv) => {
        seen.push(inv);
        throw new Error("stop");
      },
      { stdout: () => undefined, stderr: () => undefined },
    );
    assert.deepEqual(seen, [{ command: "abort", args: { stack: "dev", json: true, reason: undefined, force: false } }]);
  });
});
