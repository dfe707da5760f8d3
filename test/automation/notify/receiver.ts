// A local HTTP receiver on 127.0.0.1 that records every POST (path, headers, raw body) and answers with a chosen
// status, or never answers (to test the sender's timeout).
import * as http from "http";
import type { AddressInfo } from "net";

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  got: Received[];
  /** Status per request, in order; the last repeats. "hang" never answers. */
  answers: Array<number | "hang">;
  close(): Promise<void>;
}

export async function receiver(answers: Array<number | "hang"> = [200]): Promise<Receiver> {
  const got: Received[] = [];
  const hanging: http.ServerResponse[] = [];
  const r = { got, answers } as Receiver;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      got.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const a = r.answers[Math.min(got.length - 1, r.answers.length - 1)];
      if (a === "hang") return void hanging.push(res);
      res.writeHead(a, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  r.close = () =>
    new Promise<void>((resolve) => {
      for (const h of hanging) h.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return r;
}
