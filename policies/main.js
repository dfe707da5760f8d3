"use strict";
// Entry the engine loads (package.json "main"). The engine's plugin runner registers ts-node with type-checking forced
// on, and type-checking this pack (with the AWS SDK's declarations it imports) costs about 9 s on every preview and
// update. loader.js transpiles the pack's own .ts files with esbuild instead, by a handler that never hands them to
// the runner's type-checking one (`npm run typecheck` checks these sources), and defers SDK modules the pack never uses.
const loader = require("./loader");
loader.prepareLoader(__dirname);
loader.shareDeserializedProperties(__dirname);
require("./index.ts");
loader.persistCompileCache();
