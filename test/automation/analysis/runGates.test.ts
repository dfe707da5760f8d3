import { strict as assert } from "node:assert";
import { createProviders, runGates } from "../../../automation/analysis";
import type { AnalysisProvider, Verdict } from "../../../automation/types";
import { gateContext } from "./server";

const provider = (name: string, check: AnalysisProvider["check"]): AnalysisProvider => ({ name, check });
const ok = (name: string): AnalysisProvider =>
  provider(name, async () => ({ provider: name, ok: true, detail: "fine", durationMs: 1 }));

describe("#runGates", () => {
  it("returns one verdict per provider, in order", async () => {
    const verdicts = await runGates([ok("a"), ok("b")], gateContext(), { timeoutMs: 1000 });
    assert.deepEqual(
      verdicts.map((v) => [v.provider, v.ok]),
      [
        ["a", true],
        ["b", true],
      ],
    );
  });

  it("runs providers in parallel", async () => {
    const slow = (name: string) =>
      provider(
        name,
        () =>
          new Promise<Verdict>((r) =>
            setTimeout(() => r({ provider: name, ok: true, detail: "x", durationMs: 0 }), 150),
          ),
      );
    const t0 = Date.now();
    await runGates([slow("a"), slow("b"), slow("c")], gateContext(), { timeoutMs: 1000 });
    assert.ok(Date.now() - t0 < 400, `took ${Date.now() - t0} ms`);
  });

  it("turns a throw into a failed verdict naming the error", async () => {
    const [v] = await runGates(
      [
        provider("x", async () => {
          throw new Error("socket hang up");
        }),
      ],
      gateContext(),
      { timeoutMs: 1000 },
    );
    assert.deepEqual([v.ok, v.detail], [false, "error: socket hang up"]);
  });

  it("fails a provider that ignores its signal and never answers", async () => {
    const [v, w] = await runGates(
      [provider("hang", () => new Promise<Verdict>(() => undefined)), ok("b")],
      gateContext(),
      { timeoutMs: 50 },
    );
    assert.equal(v.ok, false);
    assert.match(v.detail, /no answer within 50 ms/);
    assert.equal(w.ok, true);
  });

  it("fails an empty answer", async () => {
    const empty = provider("e", async () => undefined as unknown as Verdict);
    const [v] = await runGates([empty], gateContext(), { timeoutMs: 1000 });
    assert.equal(v.ok, false);
    assert.match(v.detail, /empty answer/);
  });

  it("does not pass a verdict whose ok is not exactly true", async () => {
    const odd = provider("o", async () => ({ provider: "o", ok: "yes" }) as unknown as Verdict);
    const [v] = await runGates([odd], gateContext(), { timeoutMs: 1000 });
    assert.equal(v.ok, false);
  });

  it("fails everything when interrupted before running", async () => {
    const ac = new AbortController();
    ac.abort();
    const verdicts = await runGates([ok("a"), ok("b")], gateContext(), { timeoutMs: 1000, signal: ac.signal });
    assert.ok(verdicts.every((v) => !v.ok && /interrupted/.test(v.detail)));
  });

  it("hands each provider a signal that aborts on timeout", async () => {
    let aborted = false;
    const p = provider(
      "s",
      (_ctx, signal) => new Promise<Verdict>(() => signal.addEventListener("abort", () => (aborted = true))),
    );
    await runGates([p], gateContext(), { timeoutMs: 30 });
    assert.equal(aborted, true);
  });
});

describe("#createProviders", () => {
  it("names providers by kind, numbering repeats", () => {
    const names = createProviders([
      { provider: "kubernetes" },
      { provider: "prometheus", url: "http://p", query: "up", max: 1 },
      { provider: "prometheus", url: "http://p", query: "up", max: 1 },
      { provider: "http", url: "http://h/health" },
    ]).map((p) => p.name);
    assert.deepEqual(names, ["kubernetes", "prometheus#1", "prometheus#2", "http"]);
  });

  it("makes an incomplete spec a gate that always fails", async () => {
    const [p] = createProviders([{ provider: "prometheus", url: "http://p" }]);
    const [v] = await runGates([p], gateContext(), { timeoutMs: 1000 });
    assert.equal(v.ok, false);
    assert.match(v.detail, /needs url, query and max/);
  });

  it("makes an unknown provider a gate that always fails", async () => {
    const [p] = createProviders([{ provider: "datadog" as "http" }]);
    const [v] = await runGates([p], gateContext(), { timeoutMs: 1000 });
    assert.equal(v.ok, false);
    assert.match(v.detail, /unknown analysis provider "datadog"/);
  });
});
