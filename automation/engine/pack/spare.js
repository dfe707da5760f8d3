"use strict";
// A spare policy pack process: the pack (argv[2], the directory of its PulumiPolicy.yaml) loaded and serving before
// the update that uses it, started by the driver (automation/engine/spare.ts). The engine loads a policy pack before
// it runs the program, so the pack's start (Node, the SDK, @pulumi/policy, the policies; about 0.7 s) is on the
// critical path of every update; this process has paid it during the previous interval. The engine reaches it through the plugin
// bin/pulumi-analyzer-policy-slipway-spare of the driver's private pack wrapper (PulumiPolicy.yaml beside this file).
//
// One process serves one update. It prints {"analyzer": <port>, "control": <port>} on one line of stdout. The first
// plugin to connect to the control port claims it ("ok"); any later one is refused and starts the pack itself. The
// process exits when the claiming plugin's connection closes (the engine has killed the plugin: the update is over),
// or, never claimed, when the driver closes stdin.
const net = require("net");
const path = require("path");

const packDir = path.resolve(process.argv[2] || ".");

let analyzer;
let control;
let claimed = false;
const announce = () => {
  if (analyzer && control) process.stdout.write(`${JSON.stringify({ analyzer, control })}\n`);
};

// @pulumi/policy's serve() prints the Analyzer server's port on stdout, as the engine expects of a plugin: that line
// is taken here and announced with the control port instead.
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
  const port = Number(String(chunk).trim());
  if (analyzer === undefined && Number.isInteger(port) && port > 0) {
    analyzer = port;
    process.stdout.write = write;
    announce();
    return true;
  }
  return write(chunk, ...rest);
};

const server = net.createServer((socket) => {
  if (claimed) return socket.end("taken\n");
  claimed = true;
  server.close();
  socket.on("error", () => undefined);
  socket.on("close", () => process.exit(0));
  socket.write("ok\n");
});
server.listen(0, "127.0.0.1", () => {
  control = server.address().port;
  announce();
});

process.stdin.on("data", () => undefined);
process.stdin.on("end", () => (claimed ? undefined : process.exit(0)));

require(path.join(packDir, "main.js"));
