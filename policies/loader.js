"use strict";
// How the engine loads this repository's TypeScript: the policy pack (policies/main.js) and the program
// (stacks/index.js) start through here, on every preview and update, so their start-up cost is paid on every canary
// step. Four things make it fast:
// - each .ts file under `root` is transpiled by esbuild, one file at a time, without type-checking (`npm run
//   typecheck` does that) and without source maps (enabling them makes Node parse the source map of every SDK module
//   it loads, about 0.4 s per start); other .ts files go to the previous handler, if any;
// - the transpiled files are kept in SLIPWAY_TRANSPILE_CACHE (set by tools/env.ts, outside the repository), keyed by
//   a hash of esbuild's version, the options, the path and the source, so an unchanged file is read, not transpiled
//   (esbuild's synchronous calls cost 0.15-0.27 s per start); without the variable every file is transpiled;
// - stack traces are V8's own: the SDK captures `new Error().stack` for every resource and every promise it tracks,
//   and the source-map-support handler its runners install (mapping SDK frames to TypeScript sources the SDK does not
//   ship; this repository's files carry no source maps) formatted each one, about 0.4 s of CPU per program start;
// - the Pulumi SDK's function serialization loads the TypeScript compiler and npm's Arborist when the SDK is first
//   required (about 0.65 s), for closures this repository never serializes: they load on first use instead.
const fs = require("fs");
const Module = require("module");
const path = require("path");
const { createHash } = require("crypto");

const TRANSPILE = { loader: "ts", format: "cjs", target: "node22" };

function transpile(source, filename) {
  const esbuild = require("esbuild");
  return esbuild.transformSync(source, { ...TRANSPILE, sourcefile: filename }).code;
}

/** The transpiled file from the cache, or transpiled now and stored (a failed write only costs the next start). */
function cachedTranspile(cacheDir, source, filename) {
  const version = require("esbuild/package.json").version;
  const key = createHash("sha256")
    .update(JSON.stringify([version, TRANSPILE, filename, source]))
    .digest("hex");
  const file = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    const code = transpile(source, filename);
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const partial = `${file}.${process.pid}`;
      fs.writeFileSync(partial, code);
      fs.renameSync(partial, file);
    } catch {
      // read-only or full disk: the next start transpiles again
    }
    return code;
  }
}

function registerTranspiler(root) {
  const cacheDir = process.env.SLIPWAY_TRANSPILE_CACHE;
  const prefix = path.resolve(root) + path.sep;
  const own = (file) => file.startsWith(prefix) && !file.includes(`${path.sep}node_modules${path.sep}`);
  const previous = require.extensions[".ts"];
  require.extensions[".ts"] = function (module, filename) {
    if (!own(filename)) return (previous ?? require.extensions[".js"])(module, filename);
    const source = fs.readFileSync(filename, "utf8");
    module._compile(cacheDir ? cachedTranspile(cacheDir, source, filename) : transpile(source, filename), filename);
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
  Error.prepareStackTrace = undefined;
  registerTranspiler(root);
  deferClosureDependencies();
}

/**
 * @pulumi/policy deserializes a resource's properties once per policy that looks at it: for every resource, every
 * policy that applies to several types (most of this pack) converts the whole protobuf Struct again, and the stack
 * policies do it for every resource each. The checks only read what they are given, so one conversion per Struct
 * (per request) serves them all.
 */
function shareDeserializedProperties(root) {
  const d = require(require.resolve("@pulumi/policy/deserialize", { paths: [root] }));
  const convert = d.deserializeProperties;
  const done = new WeakMap();
  d.deserializeProperties = function (struct, keepUnknowns) {
    if (struct === null || typeof struct !== "object") return convert.apply(this, arguments);
    let entry = done.get(struct);
    if (entry === undefined) done.set(struct, (entry = {}));
    const key = keepUnknowns ? "withUnknowns" : "plain";
    if (!(key in entry)) entry[key] = convert.apply(this, arguments);
    return entry[key];
  };
}

/**
 * Writes Node's compile cache (NODE_COMPILE_CACHE) for every module loaded so far. Node writes it only when a process
 * exits, and the engine kills the program's and the pack's processes at the end of an update, so without this the
 * modules only these processes load were compiled anew on every preview and update.
 */
function persistCompileCache() {
  Module.flushCompileCache?.();
}

module.exports = { prepareLoader, onFirstUse, persistCompileCache, shareDeserializedProperties };
