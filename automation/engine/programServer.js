"use strict";
// A spare program process: the stack program (stacks/index.ts) served to one `pulumi up` or `pulumi preview` through
// the CLI's `--client` flag, started by the driver (engine/spare.ts) before that update needs it. A program the
// language host starts only begins loading the SDK, @pulumi/kubernetes and the components once the policy pack is up,
// about 1 s of CPU on the critical path of every update; this one has them loaded by then.
//
// It is its own process, as the host's program is, so the update never depends on the driver: a driver frozen or
// killed mid-update leaves the program serving until the update ends (it exits once the Run is over and the driver is
// gone). Each process serves one Run: the next update gets a fresh process, so no module state carries over.
//
// Protocol: argv[2] is the repository root. It prints {"port": <port of its LanguageRuntime server>} on the first
// line of stdout, then loads the program's modules. The driver writes one JSON line to stdin, the variables of this update
// (the release in SLIPWAY_RELEASE), before the CLI starts; stdin closing means the driver is done with it.
const path = require("path");

const root = path.resolve(process.argv[2] || ".");
const loader = require(path.join(root, "policies", "loader"));
loader.prepareLoader(root);
const fromRoot = (m) => require(require.resolve(m, { paths: [root] }));
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [root] }));
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
const langrpc = fromRoot("@pulumi/pulumi/proto/language_grpc_pb");
// Internal to the SDK (the Automation API's own server for inline programs), pinned with @pulumi/pulumi.
const { LanguageServer } = fromRoot("@pulumi/pulumi/automation/server");
const { grpcChannelOptions } = fromRoot("@pulumi/pulumi/runtime/settings");

let running = false;
let driverGone = false;
let served = false;
const exitIfDone = () => {
  if (driverGone && !running) process.exit(0);
};

let gotVariables;
const variables = new Promise((resolve) => (gotVariables = resolve));
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  input += chunk;
  const nl = input.indexOf("\n");
  if (nl >= 0) gotVariables(JSON.parse(input.slice(0, nl)));
});
process.stdin.on("end", () => {
  driverGone = true;
  gotVariables({});
  exitIfDone();
});

async function program() {
  if (served) throw new Error("this program process has already served an update");
  served = true;
  Object.assign(process.env, await variables, { SLIPWAY_PROGRAM_SERVER: "1" });
  return require(path.join(root, "stacks", "index.ts"));
}

class OneRun extends LanguageServer {
  run(call, callback) {
    running = true;
    return super.run(call, (err, resp) => {
      callback(err, resp);
      running = false;
      exitIfDone();
    });
  }
}

const server = new grpc.Server({ ...grpcChannelOptions });
server.addService(langrpc.LanguageRuntimeService, new OneRun(program));
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    process.stderr.write(`program server: ${err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  // Now what the program requires, while the CLI and the policy pack start. A module that fails to load fails the
  // same way when the Run requires the program, which reports it through the engine.
  try {
    require(path.join(root, "stacks", "config.ts"));
    require(path.join(root, "components", "index.ts"));
    loader.persistCompileCache();
  } catch {
    // reported by the Run
  }
});
