"use strict";
// How the engine loads this repository's TypeScript: the policy pack (policies/main.js) and the program
// (stacks/index.js) start through here, on every preview and update, so their start-up cost is paid on every canary
// step. Two things make it fast:
// - each .ts file under `root` is transpiled by esbuild, one file at a time, without type-checking (`npm run
//   typecheck` does that) and without source maps (enabling them makes Node parse the source map of every SDK module
//   it loads, about 0.4 s per start); other .ts files go to the previous handler, if any;
// - the Pulumi SDK's function serialization loads the TypeScript compiler and npm's Arborist when the SDK is first
//   required (about 0.65 s), for closures this repository never serializes: they load on first use instead.
const fs = require("fs");
const Module = require("module");
const path = require("path");
const { transformSync } = require("esbuild");

function registerTranspiler(root) {
  const prefix = path.resolve(root) + path.sep;
  const own = (file) => file.startsWith(prefix) && !file.includes(`${path.sep}node_modules${path.sep}`);
  const previous = require.extensions[".ts"];
  require.extensions[".ts"] = function (module, filename) {
    if (!own(filename)) return (previous ?? require.extensions[".js"])(module, filename);
    const source = fs.readFileSync(filename, "utf8");
    module._compile(
      transformSync(source, { loader: "ts", format: "cjs", target: "node22", sourcefile: filename }).code,
      filename,
    );
  };
}

/** A module object that requires the real module on first use. */
function onFirstUse(load) {
  let real;
  const target = () => (real ??= load());
  return new Proxy(
    {},
    {
      // __esModule: TypeScript's __importStar then takes the object as is instead of copying every export now.
      get: (_, key) => (key === "__esModule" ? true : Reflect.get(target(), key)),
      has: (_, key) => Reflect.has(target(), key),
      ownKeys: () => Reflect.ownKeys(target()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Reflect.getOwnPropertyDescriptor(target(), key);
        return d && { ...d, configurable: true };
      },
    },
  );
}

const SDK_CLOSURE_DEPENDENCIES = [
  { request: "typescript", from: `${path.sep}@pulumi${path.sep}pulumi${path.sep}typescript-shim.js` },
  {
    request: "@npmcli/arborist",
    from: `${path.sep}@pulumi${path.sep}pulumi${path.sep}runtime${path.sep}closure${path.sep}`,
  },
];

function deferClosureDependencies() {
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    const from = parent?.filename ?? "";
    if (SDK_CLOSURE_DEPENDENCIES.some((d) => d.request === request && from.includes(d.from))) {
      const args = arguments;
      return onFirstUse(() => load.apply(this, args));
    }
    return load.apply(this, arguments);
  };
}

/** Prepares this process to load TypeScript under `root` and the Pulumi SDK quickly. */
function prepareLoader(root) {
  registerTranspiler(root);
  deferClosureDependencies();
}

module.exports = { prepareLoader, onFirstUse };
