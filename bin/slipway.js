#!/usr/bin/env node
// The `slipway` command: TypeScript sources run through ts-node (transpile only; `npm run typecheck` checks types).
"use strict";
const path = require("path");
require("ts-node").register({ transpileOnly: true, project: path.join(__dirname, "..", "tsconfig.json") });

// process.exit drops what is still queued for a pipe (a --json document beyond 64 KiB arrived cut short): exit only
// once stdout and stderr have taken everything written before.
function exitWhenFlushed(code) {
  let pending = 2;
  const done = () => (--pending === 0 ? process.exit(code) : undefined);
  process.stdout.write("", done);
  process.stderr.write("", done);
}

require("../automation/cli/main")
  .main(process.argv.slice(2))
  .then(exitWhenFlushed)
  .catch((err) => {
    process.stderr.write(`slipway: ${err && err.message ? err.message.split("\n")[0] : String(err)}\n`);
    exitWhenFlushed(1);
  });
