// The lock is exclusive against real processes: six node processes race to take over the same stale lock, round
// after round, on the file store and on the S3 test server, and every round exactly one of them holds it.
import { strict as assert } from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { stateStoreFor } from "../../../automation/state/backend";
import { BUCKET, s3TestServer } from "./s3server";

const ROOT = path.resolve(__dirname, "../../..");
const RACERS = 6;
const ROUNDS = 4;
/** A pid no process has: the stale lock's holder died. */
const DEAD_PID = 2 ** 22 + 12345;

interface Result {
  round: string;
  name: string;
  won: boolean;
  error?: string;
}

/** Starts the racers and resolves once every one of them has built its store. */
async function startRacers(url: string, host: string): Promise<{ children: ChildProcess[]; lines: Result[] }> {
  const lines: Result[] = [];
  let ready = 0;
  const children = Array.from({ length: RACERS }, (_, i) => {
    const child = spawn(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", path.join(__dirname, "lockracer.ts"), url, host, `r${i}`],
      { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"], env: process.env },
    );
    let buf = "";
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        const o = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (o.ready) ready += 1;
        else lines.push(o as Result);
      }
    });
    return child;
  });
  await until(() => ready === RACERS, "every racer to start");
  return { children, lines };
}

async function until(done: () => boolean, what: string, ms = 120_000): Promise<void> {
  for (const end = Date.now() + ms; !done(); await new Promise((r) => setTimeout(r, 25))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

const staleLock = (host: string, round: number) =>
  JSON.stringify({
    pid: DEAD_PID,
    host,
    startedAt: "2026-12-01T10:00:00Z",
    promotionId: `dead-${round}`,
    command: "promote",
    token: round * 10,
  });

interface Backend {
  name: string;
  url(): Promise<string>;
  /** Puts a stale lock (a dead pid on the racers' host) where the store keeps the lock. */
  plant(url: string, host: string, round: number): Promise<void>;
}

const BACKENDS: Backend[] = [
  {
    name: "file store",
    url: async () => `file://${fs.mkdtempSync(path.join(os.tmpdir(), "slipway-race-"))}`,
    plant: async (url, host, round) => {
      const dir = path.join(url.slice("file://".length), ".slipway", "slipway", "dev");
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "lock"), staleLock(host, round));
    },
  },
  {
    name: "S3 store",
    url: async () => (await s3TestServer()).backendUrl(`race-${process.pid}-${Date.now()}`),
    plant: async (url, host, round) => {
      const prefix = /^s3:\/\/[^/]+\/([^?]+)/.exec(url)![1];
      const Key = `${prefix}/.slipway/slipway/dev/lock`;
      await (
        await s3TestServer()
      ).client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: staleLock(host, round) }));
    },
  },
];

for (const backend of BACKENDS) {
  describe(`#lock-race on the ${backend.name}: ${RACERS} processes take over one stale lock`, function () {
    this.timeout(600_000);
    let children: ChildProcess[] = [];
    after(() => children.forEach((c) => c.kill()));

    it(`leaves exactly one holder in each of ${ROUNDS} rounds; every other racer gets LockedError`, async () => {
      const url = await backend.url();
      const host = os.hostname();
      const racers = await startRacers(url, host);
      children = racers.children;
      const state = stateStoreFor(url, "slipway", host)("dev");
      for (let round = 1; round <= ROUNDS; round++) {
        await backend.plant(url, host, round);
        for (const c of children) c.stdin!.write(`${round}\n`);
        const mine = () => racers.lines.filter((l) => l.round === String(round));
        await until(() => mine().length === RACERS, `round ${round}`);
        const won = mine().filter((l) => l.won);
        assert.equal(won.length, 1, `round ${round}: ${JSON.stringify(mine())}`);
        for (const l of mine().filter((x) => !x.won)) assert.match(l.error!, /^LockedError: /, l.error);
        assert.equal((await state.holder())?.promotionId, `${won[0].name}-${round}`, "the lock names the winner");
      }
    });
  });
}
