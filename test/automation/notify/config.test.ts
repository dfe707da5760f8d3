// `slipway:notifications` is read with the stack's config: credentials are never literal (a Slack or Teams URL is an
// env: reference, a literal URL carries no userinfo or token), and each refusal names the key and the fix.
import { strict as assert } from "assert";
import { parseStackConfig } from "../../../stacks/config";
import { baseConfig } from "../fakes";

const parse = (targets: unknown) =>
  parseStackConfig("prod", baseConfig("prod", { "slipway:notifications": JSON.stringify(targets) }));

describe("slipway:notifications config", () => {
  it("takes env: references, defaults every event and PagerDuty's endpoint", () => {
    const n = parse([
      { kind: "slack", url: "env:SLACK_WEBHOOK_URL", events: ["rolled-back", "held"] },
      { kind: "pagerduty", routingKeyEnv: "PD_ROUTING_KEY" },
      { kind: "webhook", url: "https://hooks.example.com/slipway", secretEnv: "SLIPWAY_HOOK_KEY" },
    ]).notifications;
    assert.deepEqual(n[0].events, ["rolled-back", "held"]);
    assert.equal(n[1].url, "https://events.pagerduty.com/v2/enqueue");
    assert.equal(n[1].events.length, 8);
    assert.equal(n[2].secretEnv, "SLIPWAY_HOOK_KEY");
  });

  const refused: Array<[string, unknown, RegExp]> = [
    [
      "a literal Slack webhook URL",
      { kind: "slack", url: "https://hooks.slack.com/services/T000/B000/XXXX" },
      /notifications\[0\]\.url.*a slack webhook URL is a credential.*"env:SLACK_WEBHOOK_URL"/,
    ],
    [
      "a webhook URL with userinfo",
      { kind: "webhook", url: "https://bot:hunter2@hooks.example.com/x" },
      /notifications\[0\]\.url.*carries credentials.*env:/,
    ],
    [
      "a webhook URL with a token parameter",
      { kind: "webhook", url: "https://hooks.example.com/x?token=abc123" },
      /carries credentials/,
    ],
    ["PagerDuty without its routing key variable", { kind: "pagerduty" }, /pagerduty needs routingKeyEnv/],
    [
      "an unknown event",
      { kind: "slack", url: "env:S", events: ["deployed"] },
      /use events of step-passed, gate-failed/,
    ],
    [
      "an env: reference that names no variable",
      { kind: "teams", url: "env:lower case" },
      /after env: name an environment variable/,
    ],
    ["a secretEnv on Slack", { kind: "slack", url: "env:S", secretEnv: "K" }, /secretEnv is for webhook only/],
  ];
  for (const [name, target, message] of refused)
    it(`refuses ${name}, naming the key and the fix`, () => {
      assert.throws(
        () => parse([target]),
        (err: Error) => {
          assert.match(err.message, message);
          assert.doesNotMatch(err.message, /hunter2/);
          return true;
        },
      );
    });
});
