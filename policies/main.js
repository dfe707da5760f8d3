"use strict";
// Entry the engine loads (package.json "main"). The engine's plugin runner registers ts-node with type-checking forced
// on, and type-checking this pack (with the AWS SDK's declarations it imports) costs about 9 s on every preview and
// update. `npm run typecheck` checks these sources already, so the pack's own .ts files are compiled here
// transpile-only, by a handler that never hands them to the runner's type-checking one.
const fs = require("fs");
const path = require("path");
const tsNode = require("ts-node");

const service = tsNode.create({ transpileOnly: true, project: path.join(__dirname, "tsconfig.json") });
const own = (file) => file.startsWith(__dirname + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`);
const previous = require.extensions[".ts"];
require.extensions[".ts"] = function (module, filename) {
  if (!own(filename)) return (previous ?? require.extensions[".js"])(module, filename);
  module._compile(service.compile(fs.readFileSync(filename, "utf8"), filename), filename);
};
require("./index.ts");
