// One real S3-compatible server on 127.0.0.1 for every unit test file that needs it (tools/s3-test-server.sh installs
// and runs it), started on first use and stopped when mocha exits. Nothing is skipped: a server that cannot start
// fails the suite with the reason.
import { spawn, type ChildProcess } from "child_process";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";

const ROOT = path.resolve(__dirname, "../../..");
export const BUCKET = "slipway-state";
/** moto accepts any credentials; the SDK and the program's child reader need some in their environment. */
export const CREDS = {
  AWS_ACCESS_KEY_ID: "slipway-test",
  AWS_SECRET_ACCESS_KEY: "slipway-test",
  AWS_REGION: "us-east-1",
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/", timeout: 1_000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
  });
}

/** Starts tools/s3-test-server.sh; rejects with its output if it exits or does not answer in time. */
async function startServer(port: number, deadlineMs: number): Promise<ChildProcess> {
  const child = spawn("bash", [path.join(ROOT, "tools/s3-test-server.sh"), "run", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  let exited: string | undefined;
  child.on("exit", (code, sig) => (exited = `exited with ${code ?? sig}`));
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (exited) break;
    if (await answers(port)) return child;
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill();
  const tail = output.trim().split("\n").slice(-15).join("\n");
  throw new Error(
    `the S3 test server (tools/s3-test-server.sh run ${port}) ${exited ?? `did not answer within ${deadlineMs / 1000}s`}:\n${tail}`,
  );
}

export interface S3TestServer {
  endpoint: string;
  client: S3Client;
  backendUrl(prefix: string): string;
}

let started: Promise<S3TestServer> | undefined;

/** The shared server with BUCKET created; the AWS credential variables are set for the rest of the run. */
export function s3TestServer(): Promise<S3TestServer> {
  started ??= (async () => {
    Object.assign(process.env, CREDS);
    const port = await freePort();
    const child = await startServer(port, 540_000);
    // The server lives as long as this mocha process: unreferenced so it never holds mocha open, killed on exit.
    child.stdout?.destroy();
    child.stderr?.destroy();
    child.unref();
    process.once("exit", () => child.kill());
    const endpoint = `http://127.0.0.1:${port}`;
    const client = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true });
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    return {
      endpoint,
      client,
      backendUrl: (prefix) => `s3://${BUCKET}/${prefix}?region=us-east-1&endpoint=${endpoint}&s3ForcePathStyle=true`,
    };
  })();
  return started;
}
