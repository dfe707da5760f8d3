#!/usr/bin/env node
// The `slipway` command: TypeScript sources run through ts-node (transpile only; `npm run typecheck` checks types).
"use strict";
const path = require("path");
require("ts-node").register({ transpileOnly: true, project: path.join(__dirname, "..", "tsconfig.json") });
require("../automation/cli/main")
  .main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((err) => {
    process.stderr.write(`slipway: ${err && err.message ? err.message.split("\n")[0] : String(err)}\n`);
    process.exit(1);
  });
