"use strict";
// Entry the engine runs (Pulumi.yaml `main: stacks/`, runtime option `typescript: false`). The program's TypeScript
// (stacks/, components/) is transpiled by esbuild on load, through the policy pack's loader (policies/loader.js):
// starting it through ts-node loads the TypeScript compiler, about 0.3 s more on every preview and update. The unit
// tests load stacks/index.ts directly under their own ts-node.
const loader = require("../policies/loader");
loader.prepareLoader(require("path").join(__dirname, ".."));
module.exports = require("./index.ts");
loader.persistCompileCache();
