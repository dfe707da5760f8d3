// The regulated change path on the real engine, every job a new runner: a promotion with a `pause` step stops for a
// person (exit 7, journal `paused`, traffic held, lock free) and a SECOND checkout continues it to completion; an apply
// whose reviewed plan digest does not match is refused (exit 1) before anything changes.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EXIT } from "../../automation/errors";
import {
  deleteNamespace,
  deployment,
  NAMESPACE,
  removeCopy,
  Run,
  runnerCopy,
  slipwayIn,
  Stages,
  World,
} from "./harness";

const STAGE = "local-dev";
const X = "2.0.3";
const Y = "2.0.4";

function ok(r: Run, what: string): Run {
  assert.equal(r.code, 0, `${what} exited ${r.code}:\n${r.stderr}`);
  return r;
}

interface StackStatus {
  stableVersion?: string;
  canaryVersion?: string;
  canaryWeight?: number;
  lastPromotion?: { status?: string; version?: string };
  record?: { seq: number };
}

/** The stage's journal as the file backend holds it, one entry per line. */
function journalOf(backendUrl: string): Array<{ event: string; action: string; status?: string; weight?: number }> {
  const file = path.join(backendUrl.slice("file://".length), ".slipway", "slipway", STAGE, "journal.jsonl");
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
}

describe("a pause for a person, and the reviewed plan (every job a new runner)", function () {
  this.timeout(15 * 60_000);
  const stages: Stages = { [STAGE]: `${NAMESPACE}-pause` };
  const backend = `file://${fs.mkdtempSync(path.join(os.tmpdir(), "slipway-e2e-pause-"))}`;
  const copies: World[] = [];
  const on = (...args: string[]): Promise<Run> => {
    const w = runnerCopy(backend, stages);
    copies.push(w);
    return slipwayIn(w, ...args);
  };
  const status = async (): Promise<StackStatus> =>
    JSON.parse(ok(await on("status", "--stack", STAGE, "--json"), "status").stdout)[0];

  before(async () => deleteNamespace(stages[STAGE]));
  after(async () => {
    copies.forEach(removeCopy);
    if (!process.env.SLIPWAY_E2E_KEEP) {
      fs.rmSync(backend.slice("file://".length), { recursive: true, force: true });
      await deleteNamespace(stages[STAGE]).catch(() => undefined);
    }
  });

  it("deploys the stage from its own checkout", async () => {
    ok(await on("up", "--stack", STAGE), `up ${STAGE}`);
  });

  it(`pauses ${X} at 10% with --steps 10,pause,100: exit 7, journal paused, the lock free`, async () => {
    const r = await on("promote", "--stack", STAGE, "--version", X, "--steps", "10,pause,100");
    assert.equal(r.code, EXIT.paused, `promote exited ${r.code}:\n${r.stderr}`);
    assert.match(r.stdout, /paused on local-dev at 10%/);
    const end = journalOf(backend).at(-1)!;
    assert.deepEqual([end.event, end.status, end.weight], ["end", "paused", 10]);
    const s = await status();
    assert.deepEqual([s.canaryVersion, s.canaryWeight, s.lastPromotion?.status], [X, 10, "paused"]);
    assert.equal((await deployment("api-gateway-canary", stages[STAGE])).version, X);
  });

  it("a second checkout continues it to completion (local-dev asks for no approver)", async () => {
    ok(await on("promote", "--stack", STAGE, "--continue"), "promote --continue");
    const s = await status();
    assert.deepEqual([s.stableVersion, s.canaryWeight, s.lastPromotion?.status], [X, 0, "completed"]);
    assert.ok(journalOf(backend).some((e) => e.action === "continue" && e.status === "resumed"));
    assert.equal((await deployment("api-gateway-stable", stages[STAGE])).version, X);
  });

  it(`refuses ${Y} with a wrong --plan-digest (exit 1) before anything changes`, async () => {
    const before = await status();
    const entries = journalOf(backend).length;
    const r = await on("promote", "--stack", STAGE, "--version", Y, "--plan-digest", "0".repeat(64));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /the plan is not the one reviewed/);
    const after = await status();
    assert.deepEqual([after.stableVersion, after.canaryVersion, after.record?.seq], [X, undefined, before.record?.seq]);
    assert.equal(journalOf(backend).length, entries, "nothing journaled");
  });
});
