import { strict as assert } from "assert";
import {
  checkSteps,
  checkVersion,
  checkWeight,
  environmentOfStack,
  parseDuration,
  previousStage,
  STAGE_ORDER,
  weight,
} from "../../contract/release";
import { parseStackConfig } from "../../stacks/config";
import { parseArgv } from "../../automation/cli/argv";

describe("release contract: stages", () => {
  it("orders promotion dev -> staging -> prod, with local standing alone", () => {
    assert.deepEqual([...STAGE_ORDER], ["dev", "staging", "prod"]);
    assert.equal(previousStage("staging"), "dev");
    assert.equal(previousStage("prod"), "staging");
    assert.equal(previousStage("dev"), undefined);
    assert.equal(previousStage("local"), undefined);
  });
  const stacks: Array<[string, string[], string | undefined]> = [
    ["prod-eu", ["dev", "staging", "staging-eu", "prod-eu"], "staging-eu"],
    ["acme/prod", ["acme/dev", "acme/staging", "acme/prod"], "acme/staging"],
    ["prod", ["dev", "prod"], "staging"],
    ["local-staging", ["local-dev", "local-staging"], "local-dev"],
    ["local-prod", ["local-dev", "local-prod"], undefined],
  ];
  for (const [stack, known, prev] of stacks) {
    it(`puts ${prev ?? "no stage"} before the stack ${stack} among ${known.join(", ")}`, () => {
      assert.equal(previousStage(stack, known), prev);
    });
  }
  it("reads the environment from the stack name: prod, prod-eu and acme/prod are prod", () => {
    for (const s of ["prod", "prod-eu", "acme/prod", "prod.blue"]) assert.equal(environmentOfStack(s), "prod", s);
    assert.equal(environmentOfStack("sandbox"), undefined);
  });
});

describe("release contract", () => {
  describe("weights", () => {
    it("accepts integers 0..100 and refuses the rest, in one place", () => {
      for (const w of [0, 1, 50, 100]) assert.equal(checkWeight(w), undefined, String(w));
      for (const w of [-1, 101, 2.5, NaN]) assert.match(checkWeight(w) ?? "", /integer between 0 and 100/, String(w));
      assert.throws(() => weight(130), /canary weight 130 is outside 0..100/);
    });
  });

  describe("steps", () => {
    it("accepts strictly increasing percentages ending at 100", () => {
      assert.equal(checkSteps([10, 30, 100]), undefined);
      assert.equal(checkSteps([100]), undefined);
    });
    for (const bad of [[], [10, 10, 100], [30, 10, 100], [10, 50], [0, 100], [10, 30.5, 100], "10,100"]) {
      it(`refuses ${JSON.stringify(bad)}`, () => assert.match(checkSteps(bad) ?? "", /strictly increasing/));
    }
  });

  describe("versions and durations", () => {
    it("takes semantic versions and never latest", () => {
      assert.equal(checkVersion("1.4.0"), undefined);
      assert.equal(checkVersion("v2.0.0-rc.1"), undefined);
      for (const v of ["latest", "1.4", "01.2.3", 7]) assert.match(checkVersion(v) ?? "", /semantic version/);
    });
    it("parses ms, s, m and h durations and nothing else", () => {
      assert.equal(parseDuration("250ms"), 250);
      assert.equal(parseDuration("30s"), 30_000);
      assert.equal(parseDuration("5m"), 300_000);
      assert.equal(parseDuration("2h"), 7_200_000);
      for (const t of ["5", "1d", "-1s", "1.5s", ""]) assert.equal(parseDuration(t), undefined, t);
    });
  });

  describe("one set of validators for the CLI and the program", () => {
    it("refuses the same steps in --steps and in slipway:canary", () => {
      assert.throws(
        () => parseArgv(["promote", "--stack", "dev", "--version", "1.0.1", "--steps", "30,10,100"], ["dev"]),
        /--steps "30,10,100" is not allowed: set strictly increasing/,
      );
      assert.throws(
        () =>
          parseStackConfig("local", { "slipway:stableVersion": "1.0.0", "slipway:canary": '{"steps":[30,10,100]}' }),
        /slipway:canary.steps: .* set strictly increasing/,
      );
    });
    it("reads --interval with the program's duration parser", () => {
      const inv = parseArgv(["promote", "--stack", "dev", "--version", "1.0.1", "--interval", "90s"], ["dev"]);
      assert.equal(inv.command === "promote" && inv.args.intervalMs, 90_000);
      assert.equal(
        parseStackConfig("local", { "slipway:stableVersion": "1.0.0", "slipway:canary": '{"interval":"90s"}' }).canary
          .interval,
        90_000,
      );
    });
  });
});
