// The StackState interface, run against both stores: the file store in a temporary directory and the S3 store on a
// real S3-compatible server (./s3server.ts). Whatever one store promises, the other must too.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { exitCodeOf, EXIT, LockedError } from "../../../automation/errors";
import { stateStoreFor } from "../../../automation/state/backend";
import { programRelease } from "../../../automation/state/program";
import type {
  JournalEntry,
  LockHolder,
  Release,
  ReleaseRecord,
  StackState,
  Versioned,
} from "../../../automation/state/store";
import { s3TestServer } from "./s3server";

const release = (stable: string, weight = 0): Release => ({
  stableVersion: stable,
  serviceVersions: {},
  canaryVersion: weight > 0 ? "9.9.9" : "",
  canaryWeight: weight,
  canaryServices: ["api-gateway"],
});
const record = (seq: number, r: Release, by = "p1"): ReleaseRecord => ({
  seq,
  stack: "dev",
  updatedAt: "2026-12-01T10:00:00Z",
  writtenBy: by,
  command: "promote",
  release: r,
});
const holder = (id: string): LockHolder => ({
  pid: process.pid,
  host: os.hostname(),
  startedAt: "2026-12-01T10:00:00Z",
  promotionId: id,
  command: "promote",
});
const entry = (step: number): JournalEntry => ({
  at: "2026-12-01T10:00:00Z",
  promotionId: "p1",
  stack: "dev",
  event: "intent",
  action: "step",
  step,
});

interface Kind {
  name: string;
  url(): Promise<string>;
}
const KINDS: Kind[] = [
  { name: "file store", url: async () => `file://${fs.mkdtempSync(path.join(os.tmpdir(), "slipway-store-"))}` },
  {
    name: "S3 store",
    url: async () =>
      (await s3TestServer()).backendUrl(`store-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`),
  },
];

interface Stores {
  url: string;
  /** Two runners' views of the same stack: separate store objects sharing only the backend. */
  a: StackState;
  b: StackState;
  held: Array<() => Promise<void>>;
}

/** Registers the hooks that give each test a fresh stack on `kind`, seen by two runners. */
function stores(kind: Kind): Stores {
  const f: Stores = { url: "", a: undefined as never, b: undefined as never, held: [] };
  beforeEach(async () => {
    f.url = await kind.url();
    f.a = stateStoreFor(f.url, "slipway", "runner-a")("dev");
    f.b = stateStoreFor(f.url, "slipway", "runner-b")("dev");
  });
  afterEach(async () => {
    await Promise.all(f.held.splice(0).map((r) => r()));
  });
  return f;
}

for (const kind of KINDS) {
  describe(`#stack-state on the ${kind.name}: journal and lock`, function () {
    this.timeout(120_000);
    const f = stores(kind);

    it("reads back journal entries in the order they were appended, from another runner too", async () => {
      for (let i = 1; i <= 5; i++) await f.a.append(entry(i));
      assert.deepEqual(
        (await f.b.read()).map((e) => e.step),
        [1, 2, 3, 4, 5],
      );
    });

    it("lets exactly one of two drivers take the lock; the other gets LockedError (exit 5)", async () => {
      const results = await Promise.allSettled([
        f.a.acquire(holder("a"), () => undefined),
        f.b.acquire(holder("b"), () => undefined),
      ]);
      const won = results.filter((r): r is PromiseFulfilledResult<() => Promise<void>> => r.status === "fulfilled");
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      f.held.push(...won.map((w) => w.value));
      assert.equal(won.length, 1);
      assert.equal(lost.length, 1);
      assert.ok(lost[0].reason instanceof LockedError, String(lost[0].reason));
      assert.equal(exitCodeOf(lost[0].reason), EXIT.locked);
    });
  });

  describe(`#stack-state on the ${kind.name}: release record`, function () {
    this.timeout(120_000);
    const f = stores(kind);

    it("has no release record until one is written, then hands every runner the newest version", async () => {
      assert.equal(await f.a.readRelease(), undefined);
      const v1 = await f.a.writeRelease(record(1, release("1.0.0")), undefined);
      await f.a.writeRelease(record(2, release("1.0.1")), v1);
      const seen = await f.b.readRelease();
      assert.equal(seen?.record.seq, 2);
      assert.deepEqual(seen?.record.release, release("1.0.1"));
    });

    it("of two writers quoting the same version, exactly one wins; the loser gets LockedError and writes nothing", async () => {
      const v1 = await f.a.writeRelease(record(1, release("1.0.0")), undefined);
      const fromB = (await f.b.readRelease()) as Versioned;
      const results = await Promise.allSettled([
        f.a.writeRelease(record(2, release("1.0.1"), "a"), v1),
        f.b.writeRelease(record(2, release("2.0.0"), "b"), fromB),
      ]);
      const won = results.filter((r): r is PromiseFulfilledResult<Versioned> => r.status === "fulfilled");
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      assert.equal(won.length, 1, JSON.stringify(results.map((r) => r.status)));
      assert.ok(lost[0].reason instanceof LockedError, String(lost[0].reason));
      assert.match(
        lost[0].reason.message,
        /changed under this driver \(version 2 was written by another\); nothing was written/,
      );
      assert.deepEqual((await f.a.readRelease())?.record, won[0].value.record);
    });

    it("refuses a write quoting a version that is no longer the newest", async () => {
      const v1 = await f.a.writeRelease(record(1, release("1.0.0")), undefined);
      await f.b.writeRelease(record(2, release("1.0.1")), (await f.b.readRelease()) as Versioned);
      await assert.rejects(f.a.writeRelease(record(2, release("3.0.0")), v1), LockedError);
      assert.equal((await f.a.readRelease())?.record.release.stableVersion, "1.0.1");
    });

    it("refuses a first write when another runner created the record first", async () => {
      await f.b.writeRelease(record(1, release("1.0.0"), "b"), undefined);
      await assert.rejects(f.a.writeRelease(record(1, release("1.0.5"), "a"), undefined), LockedError);
      assert.equal((await f.a.readRelease())?.record.writtenBy, "b");
    });

    it("is what the program reads, synchronously, from PULUMI_BACKEND_URL", async () => {
      assert.equal(
        programRelease("slipway", "dev", { ...process.env, PULUMI_BACKEND_URL: f.url, SLIPWAY_RELEASE: "" }),
        undefined,
      );
      const v1 = await f.a.writeRelease(record(1, release("1.0.0")), undefined);
      await f.a.writeRelease(record(2, release("1.0.1", 30)), v1);
      assert.deepEqual(
        programRelease("slipway", "dev", { ...process.env, PULUMI_BACKEND_URL: f.url, SLIPWAY_RELEASE: "" }),
        release("1.0.1", 30),
      );
    });
  });
}

describe("#program-release", () => {
  it("takes the release an update is handed over the record", () => {
    const given = release("4.0.0", 10);
    assert.deepEqual(
      programRelease("slipway", "dev", {
        PULUMI_BACKEND_URL: "file:///nonexistent",
        SLIPWAY_RELEASE: JSON.stringify(given),
      }),
      given,
    );
  });

  it("reads nothing without a backend, so the stack file's release keys apply", () => {
    assert.equal(programRelease("slipway", "dev", {}), undefined);
  });

  it("fails naming the variable when SLIPWAY_RELEASE is not JSON", () => {
    assert.throws(
      () => programRelease("slipway", "dev", { SLIPWAY_RELEASE: "{" }),
      /SLIPWAY_RELEASE is not JSON; unset it/,
    );
  });
});
