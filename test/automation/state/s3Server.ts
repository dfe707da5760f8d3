// The S3-compatible test server (tools/s3-test-server.sh, moto) on 127.0.0.1 with one bucket, for suites that need
// a real S3 store. Nothing is skipped: a server that cannot start fails the suite with its output.
import { spawn, type ChildProcess } from "child_process";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";

const ROOT = path.resolve(__dirname, "../../..");
export const CREDS = { AWS_ACCESS_KEY_ID: "slipway-test", AWS_SECRET_ACCESS_KEY: "slipway-test", AWS_REGION: "us-east-1" };

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
    const req = http.get({ host: "127.0.0.1", port, path: "/", timeout: 1_000 }, (res) => (res.resume(), resolve(true)));
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
  });
}

export interface S3TestServer {
  endpoint: string;
  client: S3Client;
  stop(): void;
}

/** Starts the server, creates `bucket`, sets the test credentials in process.env (restored by stop). */
export async function startS3(bucket: string, deadlineMs = 540_000): Promise<S3TestServer> {
  const saved = Object.fromEntries(Object.keys(CREDS).map((k) => [k, process.env[k]]));
  Object.assign(process.env, CREDS);
  const port = await freePort();
  const child: ChildProcess = spawn("bash", [path.join(ROOT, "tools/s3-test-server.sh"), "run", String(port)], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let exited: string | undefined;
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  child.on("exit", (code, sig) => (exited = `exited with ${code ?? sig}`));
  const until = Date.now() + deadlineMs;
  while (Date.now() < until && !exited && !(await answers(port))) await new Promise((r) => setTimeout(r, 250));
  if (exited || Date.now() >= until) {
    child.kill();
    throw new Error(`the S3 test server ${exited ?? "did not answer in time"}:\n${output.trim().split("\n").slice(-15).join("\n")}`);
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    endpoint, client,
    stop: () => {
      client.destroy();
      child.kill();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
  };
}
