// A throwaway HTTP server on 127.0.0.1 with a random port, for gates to talk to in tests.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { GateContext } from "../../../automation/types";

export interface TestServer {
  url: string;
  /** Request paths (with query) in arrival order. */
  requests: string[];
  close(): Promise<void>;
}

export async function serve(handler: http.RequestListener): Promise<TestServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? "");
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL on which nothing listens: a port the OS just handed out and took back. */
export async function refusedUrl(): Promise<string> {
  const s = await serve((_req, res) => res.end());
  await s.close();
  return s.url;
}

export function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}

export function gateContext(over: Partial<GateContext> = {}): GateContext {
  return {
    stack: "dev",
    namespace: "slipway",
    services: ["api-gateway"],
    canaryVersion: "1.4.0",
    stableVersion: "1.3.0",
    weight: 30,
    step: 2,
    ...over,
  };
}
