// Each target kind gets its documented payload, posted to a receiver on 127.0.0.1: Slack {text, blocks}, a Teams
// message with an Adaptive Card, a PagerDuty Events API v2 event, and a webhook body signed with HMAC-SHA256. Every
// message says what happened, the version, the stack, the failed gate and its value, and the run; secrets masked.
import { strict as assert } from "assert";
import { createHmac } from "crypto";
import type { NotificationTarget } from "../../../stacks/config";
import { createNotifier } from "../../../automation/notify/send";
import type { JournalEntry } from "../../../automation/state/store";
import { receiver, Receiver } from "./receiver";

const RUN = "https://github.com/acme/slipway/actions/runs/4242";
const start: JournalEntry = {
  at: "2026-12-01T10:00:00.000Z",
  promotionId: "p1",
  stack: "prod",
  event: "start",
  action: "promote",
  version: "1.4.0",
  evidence: {
    run: { id: "4242", url: RUN },
    gates: [{ provider: "prometheus", url: "http://prometheus.monitoring.svc:9090", max: 0.01 }],
  },
};
const failedStep: JournalEntry = {
  at: "2026-12-01T10:05:00.000Z",
  promotionId: "p1",
  stack: "prod",
  event: "outcome",
  action: "step",
  step: 1,
  weight: 30,
  ok: false,
  verdicts: [
    {
      provider: "prometheus",
      ok: false,
      value: 0.04,
      detail: "0.04 > max 0.01; token=tok-live-123456 in the answer",
      durationMs: 3,
    },
  ],
};

async function deliver(t: Omit<NotificationTarget, "url" | "events">, env: Record<string, string> = {}) {
  const r = await receiver();
  const progress: string[] = [];
  const notify = createNotifier({
    env: { HOOK_URL: `${r.url}/hook`, ...env },
    progress: (l) => progress.push(l),
    targetsOf: async () => [{ ...t, url: "env:HOOK_URL", events: ["gate-failed"] }],
  });
  await notify(start);
  await notify(failedStep);
  await r.close();
  assert.deepEqual(progress, []);
  assert.equal(r.got.length, 1, "one notification: the start entry is no event");
  return { ...r.got[0], json: JSON.parse(r.got[0].body) };
}

const SAYS = [/gate-failed|failed gate/, /1\.4\.0/, /prod/, /prometheus/, /0\.04/, /0\.01/, /actions\/runs\/4242/];

describe("notifications: one payload per kind", () => {
  it("Slack: an incoming-webhook message {text, blocks} naming event, version, stack, gate, value and run", async () => {
    const m = await deliver({ kind: "slack" });
    assert.equal(m.json.text, "slipway: prod: 1.4.0 step 2 at 30% failed gate prometheus");
    assert.ok(Array.isArray(m.json.blocks));
    for (const s of SAYS) assert.match(m.body, s);
    assert.doesNotMatch(m.body, /tok-live-123456/);
  });

  it("Teams: a message whose attachment is an Adaptive Card with the facts and a link to the run", async () => {
    const m = await deliver({ kind: "teams" });
    assert.equal(m.json.type, "message");
    const [a] = m.json.attachments;
    assert.equal(a.contentType, "application/vnd.microsoft.card.adaptive");
    assert.equal(a.content.type, "AdaptiveCard");
    const facts = Object.fromEntries(
      a.content.body[1].facts.map((f: { title: string; value: string }) => [f.title, f.value]),
    );
    assert.equal(
      facts["Failed gate"],
      "prometheus = 0.04 (threshold 0.01): 0.04 > max 0.01; token=[secret] in the answer",
    );
    assert.equal(a.content.actions[0].url, RUN);
  });

  it("PagerDuty: an Events API v2 trigger with the routing key from its variable and a stable dedup key", async () => {
    const m = await deliver({ kind: "pagerduty", routingKeyEnv: "PD_KEY" }, { PD_KEY: "R0UT1NGKEY" });
    assert.deepEqual(
      [m.json.routing_key, m.json.event_action, m.json.dedup_key, m.json.payload.source, m.json.payload.severity],
      ["R0UT1NGKEY", "trigger", "slipway/prod/p1", "slipway/prod", "error"],
    );
    assert.match(m.json.payload.summary, /failed gate prometheus/);
    assert.equal(m.json.payload.custom_details.Version, "1.4.0");
  });

  it("webhook: a JSON body with X-Slipway-Event and X-Slipway-Signature sha256=HMAC-SHA256(body, secret)", async () => {
    const m = await deliver({ kind: "webhook", secretEnv: "HOOK_KEY" }, { HOOK_KEY: "k3y-for-hmac" });
    assert.equal(m.headers["x-slipway-event"], "gate-failed");
    const expected = createHmac("sha256", "k3y-for-hmac").update(m.body).digest("hex");
    assert.equal(m.headers["x-slipway-signature"], `sha256=${expected}`);
    assert.deepEqual(
      [m.json.event, m.json.version, m.json.gate.value, m.json.gate.threshold],
      ["gate-failed", "1.4.0", 0.04, 0.01],
    );
  });
});

describe("notifications: failures never block", () => {
  let r: Receiver;
  afterEach(() => r?.close());

  const cases: Array<[string, Array<number | "hang">, number, RegExp]> = [
    ["a server error is tried twice, then a warning", [500], 2, /failed: HTTP 500; the release goes on/],
    ["a refusal (4xx) is not retried", [403], 1, /failed: HTTP 403/],
    ["a receiver that never answers times out within the bound", ["hang"], 2, /no answer within 200 ms/],
  ];
  for (const [name, answers, tries, warning] of cases)
    it(name, async () => {
      r = await receiver(answers);
      const progress: string[] = [];
      const notify = createNotifier({
        env: { HOOK_URL: `${r.url}/x?token=s3cr3t-in-url` },
        progress: (l) => progress.push(l),
        targetsOf: async () => [{ kind: "slack", url: "env:HOOK_URL", events: ["gate-failed"] }],
        timeoutMs: 200,
      });
      const t0 = Date.now();
      await notify(failedStep);
      assert.ok(Date.now() - t0 < 2_000);
      assert.equal(r.got.length, tries);
      assert.equal(progress.length, 1);
      assert.match(progress[0], warning);
      assert.match(progress[0], /to env:HOOK_URL/);
      assert.doesNotMatch(progress[0], /s3cr3t-in-url/);
    });

  it("warns, sending nothing, when the URL's variable is not set", async () => {
    const progress: string[] = [];
    const notify = createNotifier({
      env: {},
      progress: (l) => progress.push(l),
      targetsOf: async () => [{ kind: "slack", url: "env:SLACK_WEBHOOK_URL", events: ["gate-failed"] }],
    });
    await notify(failedStep);
    assert.match(progress[0], /SLACK_WEBHOOK_URL is not set: export it with the slack URL; the release goes on/);
  });
});
