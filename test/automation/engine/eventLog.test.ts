import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { followEventLog } from "../../../automation/engine/eventLog";
import { EventCollector } from "../../../automation/engine/events";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the engine's event log, followed while the update writes it", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-eventlog-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("hands over each event as its line completes, across chunks and a multi-byte character cut in two", async () => {
    const file = path.join(dir, "events.jsonl");
    const seen: unknown[] = [];
    const follower = followEventLog(file, (e) => seen.push(e), undefined, 5);
    await sleep(20); // the file does not exist yet: nothing to read, no error
    const line = Buffer.from(
      `${JSON.stringify({ sequence: 1, diagnosticEvent: { message: "réseau", severity: "info" } })}\n`,
    );
    const cut = line.indexOf(Buffer.from("é")) + 1; // inside the two bytes of "é"
    fs.writeFileSync(file, line.subarray(0, cut));
    await sleep(20);
    assert.deepEqual(seen, [], "half a line is not an event");
    fs.appendFileSync(file, line.subarray(cut));
    await sleep(20);
    assert.deepEqual(seen, [{ sequence: 1, diagnosticEvent: { message: "réseau", severity: "info" } }]);
    fs.appendFileSync(file, `${JSON.stringify({ sequence: 2 })}`); // the last line, without its newline
    follower.stop();
    assert.deepEqual(seen.at(-1), { sequence: 2 }, "stop() reads what is left");
  });

  it("gives the stack's outputs from the root stack's outputs event, secrets left out", () => {
    const ev = new EventCollector("local", () => undefined);
    const stackUrn = "urn:pulumi:local::slipway::pulumi:pulumi:Stack::slipway-local";
    assert.equal(ev.stackOutputs(), undefined, "no outputs event, no outputs");
    ev.handle({
      resOutputsEvent: {
        metadata: {
          op: "same",
          urn: stackUrn,
          type: "pulumi:pulumi:Stack",
          new: {
            outputs: {
              namespace: "slipway-local",
              services: { "api-gateway": { stableVersion: "1.0.0", canaryVersion: "1.1.0", canaryWeight: 30 } },
              kubeconfig: {
                "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                ciphertext: "[secret]",
              },
            },
          },
        },
      },
    });
    assert.deepEqual(ev.stackOutputs(), {
      namespace: "slipway-local",
      services: { "api-gateway": { stableVersion: "1.0.0", canaryVersion: "1.1.0", canaryWeight: 30 } },
    });
  });
});

describe("an event the reader cannot handle", () => {
  it("is reported once, and the events after it are still read", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-events-"));
    const file = path.join(dir, "events.jsonl");
    fs.writeFileSync(file, ['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}', ""].join("\n"));
    const seen: number[] = [];
    const errors: string[] = [];
    const follower = followEventLog(
      file,
      (e) => {
        const n = (e as { n: number }).n;
        if (n % 2 === 0) throw new Error("bad event");
        seen.push(n);
      },
      (err) => errors.push(err.message),
      1_000,
    );
    follower.stop();
    assert.deepEqual(seen, [1, 3]);
    assert.deepEqual(errors, ["bad event"]);
  });
});
