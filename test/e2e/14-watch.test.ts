// Watching a promotion from other processes on the real engine: `status --watch` shows it RUNNING with its step and
// pods (read through the cluster's API), then its outcome; `wait` exits with the promotion's code, or 8 at its timeout.
import { strict as assert } from "assert";
import { killLeftovers, nextPatch, slipway, Slipway, STACK, status } from "./harness";

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("a promotion watched from another process", () => {
  afterEach(killLeftovers);

  it("status --watch shows it RUNNING and ends with its outcome; wait exits with its code (0)", async () => {
    const version = nextPatch((await status()).stableVersion);
    const promotion = new Slipway(["promote", "--stack", STACK, "--version", version, "--interval", "2s"]);
    await promotion.waitFor(/step 1\/\d+ weight \d+%: (targeted|full) update/);

    const watcher = new Slipway(["status", "--stack", STACK, "--watch", "--interval", "1s", "--timeout", "10m"]);
    const shortWait = await slipway("wait", "--stack", STACK, "--timeout", "1s");
    const [promoted, waited, watched] = await Promise.all([
      promotion.done,
      slipway("wait", "--stack", STACK, "--timeout", "10m"),
      watcher.done,
    ]);

    assert.equal(promoted.code, 0, `the promotion exited ${promoted.code}:\n${promoted.stderr}`);
    assert.equal(shortWait.code, 8, `wait --timeout 1s exited ${shortWait.code}:\n${shortWait.stderr}`);
    assert.match(shortWait.stdout, /still RUNNING after .*: stopped waiting \(exit 8, timed out\)/);

    assert.equal(waited.code, 0, `wait exited ${waited.code}:\n${waited.stderr}`);
    assert.match(waited.stdout, new RegExp(`promote ${escape(version)} \\(\\w+\\) completed \\(exit 0\\)`));

    assert.equal(watched.code, 0, `status --watch exited ${watched.code}:\n${watched.stderr}`);
    assert.match(watched.stdout, new RegExp(`promote ${escape(version)} \\(\\w+\\) RUNNING`));
    assert.match(watched.stdout, /step \d of 3 at \d+%, a step every 2 s/);
    assert.match(watched.stdout, /api-gateway +\S+ \d+\/\d+ ready/, "pods read through the cluster's API");
    assert.match(watched.stdout, /lock: promote \w+ pid \d+/);
    const last = watched.stdout.trimEnd().split("\n").pop() ?? "";
    assert.match(last, new RegExp(`promote ${escape(version)} \\(\\w+\\) completed \\(exit 0\\)$`));
    assert.doesNotMatch(watched.stdout, /\x1b/, "not a terminal: no clearing, a block per change");
  });

  it("wait answers at once with the code of a promotion that already ended, and writes nothing", async () => {
    const before = JSON.parse(
      (await slipway("history", "--stack", STACK, "--json", "--verbose", "--limit", "10000")).stdout,
    ).length;
    const r = await slipway("wait", "--stack", STACK);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /completed \(exit 0\)/);
    const after = JSON.parse(
      (await slipway("history", "--stack", STACK, "--json", "--verbose", "--limit", "10000")).stdout,
    ).length;
    assert.equal(after, before);
  });
});
