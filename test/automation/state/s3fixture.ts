// The S3 store on the shared test server (./s3server.ts), one fresh stack directory per test, every lock taken
// released after each test so no heartbeat outlives it. Used by the S3 journal and lock test files.
import * as os from "os";
import type { S3Client } from "@aws-sdk/client-s3";
import type { JournalEntry, LockHolder } from "../../../automation/state/store";
import { parseS3Backend, S3StackState, type S3StateOptions } from "../../../automation/state/s3";
import { BUCKET, s3TestServer } from "./s3server";

export const holder = (promotionId: string, host: string, pid = 4242): LockHolder => ({
  pid,
  host,
  startedAt: new Date().toISOString(),
  promotionId,
  command: "promote",
});
export const entry = (promotionId: string, step: number): JournalEntry => ({
  at: new Date().toISOString(),
  promotionId,
  stack: "dev",
  event: "intent",
  action: "step",
  step,
  weight: step * 10,
});
export const noStale = () => undefined;
export const HOST = os.hostname();

export interface S3Fixture {
  endpoint: string;
  raw: S3Client;
  /** The test's number: its stack directory is .slipway/slipway/t<n>. */
  n: number;
  store(host: string, opts?: S3StateOptions, dir?: string): S3StackState;
}

/** Registers the mocha hooks of an S3 suite; the fixture's fields are set once `before` ran. */
export function s3Fixture(): S3Fixture {
  const held: (() => Promise<void>)[] = [];
  const f: S3Fixture = {
    endpoint: "",
    raw: undefined as unknown as S3Client,
    n: 0,
    store: (host, opts = {}, dir = `.slipway/slipway/t${f.n}`) => {
      const state = new S3StackState(
        parseS3Backend(`s3://${BUCKET}/team?endpoint=${f.endpoint}&s3ForcePathStyle=true&region=us-east-1`),
        dir,
        host,
        { client: async () => f.raw, alive: () => true, ...opts },
      );
      const acquire = state.acquire.bind(state);
      state.acquire = async (h, onStale) => {
        const release = await acquire(h, onStale);
        held.push(release);
        return release;
      };
      return state;
    },
  };
  before(async function () {
    this.timeout(600_000);
    ({ endpoint: f.endpoint, client: f.raw } = await s3TestServer());
  });
  beforeEach(() => {
    f.n += 1;
  });
  afterEach(async () => {
    await Promise.all(held.splice(0).map((release) => release()));
  });
  return f;
}
