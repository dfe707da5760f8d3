// The live view's text (report/watch.ts): one block per poll and the closing line, every journal value escaped.
import { strict as assert } from "assert";
import type { WatchView } from "../../../automation/commands/watchView";
import { gateText, renderWatch, renderWatchEnd } from "../../../automation/report/watch";

const PROMOTION = {
  promotionId: "p9",
  action: "promote" as const,
  version: "1.4.0",
  steps: [10, 50, 100],
  startedAt: "2026-11-22T08:00:00Z",
  completedSteps: [0],
};

function view(over: Partial<WatchView> = {}): WatchView {
  return {
    stack: "prod",
    state: "RUNNING",
    promotion: PROMOTION,
    step: { n: 2, of: 3, weight: 50 },
    nextStepAt: "2026-11-22T08:10:00.000Z",
    intervalMs: 300_000,
    services: [
      {
        service: "api-gateway",
        stable: { version: "1.3.0", ready: 3, replicas: 3 },
        canary: { version: "1.4.0", ready: 1, replicas: 2 },
      },
      { service: "calculation-service", stable: { version: "1.3.0", ready: 2, replicas: 2 } },
    ],
    gates: [{ gate: "prometheus", ok: true, value: 0.01, threshold: 0.05, detail: "5xx ratio", at: "08:04" }],
    lock: { pid: 41, host: "runner-7", startedAt: "2026-11-22T08:00:00Z", promotionId: "p9", command: "promote" },
    ...over,
  };
}

describe("the watch block", () => {
  it("reads as the promotion, its step, a row per service, the gates and the lock", () => {
    assert.equal(
      renderWatch(view()),
      [
        "prod: promote 1.4.0 (p9) RUNNING, started 2026-11-22T08:00:00Z",
        "  step 2 of 3 at 50%, a step every 5m; next step due 2026-11-22T08:10:00.000Z",
        "  SERVICE              STABLE           CANARY           WEIGHT",
        "  api-gateway          1.3.0 3/3 ready  1.4.0 1/2 ready  50%",
        "  calculation-service  1.3.0 2/2 ready  -                50%",
        "  gates:",
        "    prometheus pass 0.01 against 0.05: 5xx ratio (08:04)",
        "  lock: promote p9 pid 41 on runner-7 since 2026-11-22T08:00:00Z",
        "",
      ].join("\n"),
    );
  });

  it("says how far off the next step is only when given the time (a terminal redraws; a log would churn)", () => {
    assert.match(renderWatch(view(), Date.parse("2026-11-22T08:08:30Z")), /\(in 1m 30s\)/);
    assert.doesNotMatch(renderWatch(view()), /\(in /);
  });

  it("names what the promotion does now when it is past its steps' updates: a hook, the bake, the finalize", () => {
    assert.match(renderWatch(view({ phase: "bake" })), /step 2 of 3 at 50%.*; now: bake\n/);
    assert.doesNotMatch(renderWatch(view({ phase: "step" })), /now:/);
  });

  it("says the pods were not read when there is no cluster to read", () => {
    assert.match(renderWatch(view({ services: undefined })), /pods: not read \(no kubeconfig here\)/);
  });

  it("shows a promotion whose first step has not started, and one with no promotion at all", () => {
    assert.match(renderWatch(view({ step: undefined, nextStepAt: undefined })), /step: not started yet/);
    const none = renderWatch(
      view({ promotion: undefined, state: "NONE", step: undefined, lock: undefined, gates: [] }),
    );
    assert.equal(none, "prod: no promotion in the journal\n  lock: free\n");
  });

  it("escapes control and bidi characters from the journal, the lock and the gates", () => {
    const text = renderWatch(
      view({
        gates: [{ gate: "http", ok: false, detail: "down\n  lock: free\x1b[2J", at: "x" }],
        lock: { pid: 1, host: "h\u202eost", startedAt: "s", promotionId: "p9", command: "promote" },
      }),
    );
    assert.doesNotMatch(text, /\x1b|\u202e|down\n/);
    assert.match(text, /http FAIL: down\\x0a  lock: free\\x1b\[2J/);
  });
});

describe("a gate's verdict", () => {
  const TABLE: Array<[Parameters<typeof gateText>[0], string]> = [
    [
      { gate: "prometheus", ok: false, value: 0.09, threshold: 0.05, detail: "5xx", at: "t" },
      "prometheus FAIL 0.09 against 0.05: 5xx (t)",
    ],
    [{ gate: "prometheus", ok: true, value: 0.01, detail: "5xx", at: "t" }, "prometheus pass 0.01: 5xx (t)"],
    [{ gate: "kubernetes", ok: true, detail: "3/3 ready", at: "t" }, "kubernetes pass: 3/3 ready (t)"],
  ];
  for (const [g, text] of TABLE) it(`reads "${text}"`, () => assert.equal(gateText(g), text));
});

describe("the closing line", () => {
  it("names the outcome and its exit code", () => {
    const v = view({ state: "ENDED", promotion: { ...PROMOTION, status: "rolled-back" } });
    assert.equal(renderWatchEnd(v, 3), "prod: promote 1.4.0 (p9) rolled-back (exit 3)\n");
  });

  it("says a timeout is a timeout, in human units, with its own code", () => {
    assert.equal(
      renderWatchEnd(view(), 8, 1_500_000),
      "prod: promote 1.4.0 (p9) still RUNNING after 25m: stopped waiting (exit 8, timed out)\n",
    );
  });

  it("tells how to go on from an interrupted promotion", () => {
    assert.match(
      renderWatchEnd(view({ state: "INTERRUPTED" }), 1),
      /--version 1\.4\.0 --resume, or roll back with slipway abort --stack prod \(exit 1\)/,
    );
  });
});
