// One racer of ./lockrace.test.ts, a process of its own: it builds the store of the backend URL it is given, prints
// "ready", and on each "go" line from stdin tries to take the stack's lock once and prints what happened as one JSON
// line ({won, token?, error?}). A winner keeps the lock (it never releases), as a driver killed mid-promotion would.
import * as readline from "readline";
import { stateStoreFor } from "../../../automation/state/backend";

const [url, host, name] = process.argv.slice(2);
const state = stateStoreFor(url, "slipway", host)("dev");
const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const round = line.trim();
  state
    .acquire(
      {
        pid: process.pid,
        host,
        startedAt: new Date().toISOString(),
        promotionId: `${name}-${round}`,
        command: "promote",
      },
      () => undefined,
    )
    .then(
      () => say({ round, name, won: true }),
      (err: Error) => say({ round, name, won: false, error: `${err.name}: ${err.message}` }),
    );
});
say({ ready: name });
