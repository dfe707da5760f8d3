// The loader the engine starts the policy pack and the program through (policies/loader.js), run in a fresh Node
// process as the engine runs it: no ts-node, the repository's TypeScript transpiled by esbuild, and the Pulumi SDK's
// function-serialization dependencies left unloaded until used.
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");

function inFreshNode(script: string, env: NodeJS.ProcessEnv = {}): Record<string, unknown> {
  const out = execFileSync(process.execPath, ["-e", script], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, SLIPWAY_TRANSPILE_CACHE: "", ...env },
  });
  return JSON.parse(out) as Record<string, unknown>;
}

const loaded = (name: string) => `Object.keys(require.cache).some((f) => f.includes("/node_modules/${name}/"))`;

describe("the engine's loader (policies/loader.js)", () => {
  it("loads the repository's TypeScript without ts-node or the TypeScript compiler", () => {
    const r = inFreshNode(`
      require("./policies/loader").prepareLoader(process.cwd());
      const naming = require("./components/naming.ts");
      console.log(JSON.stringify({ exports: Object.keys(naming).length, tsNode: ${loaded("ts-node")}, typescript: ${loaded("typescript")} }));`);
    assert.ok((r.exports as number) > 3, "components/naming.ts exports nothing");
    assert.equal(r.tsNode, false);
    assert.equal(r.typescript, false);
  });

  it("leaves the SDK's TypeScript compiler and Arborist unloaded until a closure is serialized", () => {
    const r = inFreshNode(`
      require("./policies/loader").prepareLoader(process.cwd());
      const pulumi = require("@pulumi/pulumi");
      const before = { typescript: ${loaded("typescript")}, arborist: ${loaded("@npmcli/arborist")} };
      const ts = require("@pulumi/pulumi/typescript-shim");
      const kind = ts.SyntaxKind.ClassDeclaration;
      console.log(JSON.stringify({ before, kind, after: ${loaded("typescript")}, sdk: typeof pulumi.ComponentResource }));`);
    assert.deepEqual(r.before, { typescript: false, arborist: false });
    assert.equal(typeof r.kind, "number", "the deferred compiler answers once used");
    assert.equal(r.after, true);
    assert.equal(r.sdk, "function");
  });

  it("hands .ts files outside its root to the previous handler", () => {
    const r = inFreshNode(`
      const seen = [];
      require.extensions[".ts"] = (m, f) => { seen.push(require("path").basename(f)); m._compile("module.exports = 1", f); };
      require("./policies/loader").prepareLoader(require("path").join(process.cwd(), "policies"));
      require("./components/naming.ts");
      console.log(JSON.stringify({ seen }));`);
    assert.deepEqual(r.seen, ["naming.ts"]);
  });

  it("leaves stack traces to V8 instead of the source-map handler the SDK's runners install", () => {
    const r = inFreshNode(`
      require("source-map-support").install();
      const before = typeof Error.prepareStackTrace;
      require("./policies/loader").prepareLoader(process.cwd());
      const frame = new Error().stack.split("\\n")[1];
      console.log(JSON.stringify({ before, after: typeof Error.prepareStackTrace, frame }));`);
    assert.equal(r.before, "function");
    assert.equal(r.after, "undefined");
    assert.match(r.frame as string, /^ {4}at .*:\d+:\d+\)?$/, "a frame the SDK's source-position parser reads");
  });
});

describe("the engine's loader (policies/loader.js) with SLIPWAY_TRANSPILE_CACHE", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-loader-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const load = (root: string, file: string) =>
    inFreshNode(
      `require("./policies/loader").prepareLoader(${JSON.stringify(root)});
      const m = require(${JSON.stringify(file)});
      console.log(JSON.stringify({ value: m.value, esbuild: ${loaded("esbuild/lib")} }));`,
      { SLIPWAY_TRANSPILE_CACHE: path.join(dir, "cache") },
    );

  it("reads an unchanged file from the cache without loading esbuild", () => {
    const src = path.join(dir, "src");
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, "m.ts"), "export const value: number = 1;\n");
    assert.deepEqual(load(src, path.join(src, "m.ts")), { value: 1, esbuild: true });
    assert.equal(fs.readdirSync(path.join(dir, "cache")).length, 1);
    assert.deepEqual(load(src, path.join(src, "m.ts")), { value: 1, esbuild: false });
  });

  it("transpiles a changed file anew instead of serving the cached one", () => {
    const src = path.join(dir, "src");
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, "m.ts"), "export const value: number = 1;\n");
    load(src, path.join(src, "m.ts"));
    fs.writeFileSync(path.join(src, "m.ts"), "export const value: number = 2;\n");
    assert.deepEqual(load(src, path.join(src, "m.ts")), { value: 2, esbuild: true });
  });
});

describe("the engine's loader (policies/loader.js): Node's compile cache", () => {
  it("writes Node's compile cache of what it loaded even when the process is killed", () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-compile-cache-"));
    try {
      const script = `const loader = require("./policies/loader");
        require("yaml");
        loader.persistCompileCache();
        process.kill(process.pid, "SIGKILL");`;
      const r = spawnSync(process.execPath, ["-e", script], {
        cwd: ROOT,
        env: { ...process.env, NODE_COMPILE_CACHE: cache },
      });
      assert.equal(r.signal, "SIGKILL");
      const entries = fs.readdirSync(cache).flatMap((d) => fs.readdirSync(path.join(cache, d)));
      assert.ok(entries.length > 10, `the compile cache holds ${entries.length} entries after yaml was loaded`);
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});
