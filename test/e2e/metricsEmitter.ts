// The services' metrics as Prometheus scrapes them, without the services: per service and version, a request counter
// by status and a latency histogram, growing at a steady request rate with a configurable share of 5xx answers and
// a fixed latency. Run as `node metricsEmitter.js PORT CONFIG_FILE`; the file is re-read on every scrape, so a test
// changes a version's behaviour by rewriting it.
import * as fs from "node:fs";
import * as http from "node:http";

export interface EmittedSeries {
  service: string;
  version: string;
  /** Share of requests answered 500, 0..1. */
  errorShare: number;
  /** Latency of every request, in seconds. */
  latencySeconds: number;
}

export const REQUESTS_PER_SECOND = 20;
/** The buckets the seeds' services use (seconds). */
export const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Counted {
  total: number;
  last: number;
}

/** The exposition text of every configured series at `now` (ms). Counters only grow, by the elapsed time. */
export function exposition(series: EmittedSeries[], counted: Map<string, Counted>, now: number): string {
  const lines = ["# TYPE http_requests_total counter", "# TYPE http_request_duration_seconds histogram"];
  for (const s of series) {
    const key = `${s.service}\0${s.version}`;
    const c = counted.get(key) ?? { total: 0, last: now };
    c.total += (REQUESTS_PER_SECOND * (now - c.last)) / 1000;
    c.last = now;
    counted.set(key, c);
    const labels = `app="${s.service}",version="${s.version}"`;
    lines.push(`http_requests_total{${labels},status="200"} ${c.total * (1 - s.errorShare)}`);
    lines.push(`http_requests_total{${labels},status="500"} ${c.total * s.errorShare}`);
    for (const le of BUCKETS)
      lines.push(`http_request_duration_seconds_bucket{${labels},le="${le}"} ${s.latencySeconds <= le ? c.total : 0}`);
    lines.push(`http_request_duration_seconds_bucket{${labels},le="+Inf"} ${c.total}`);
    lines.push(`http_request_duration_seconds_sum{${labels}} ${c.total * s.latencySeconds}`);
    lines.push(`http_request_duration_seconds_count{${labels}} ${c.total}`);
  }
  return `${lines.join("\n")}\n`;
}

function main(port: number, configFile: string): void {
  const counted = new Map<string, Counted>();
  http
    .createServer((req, res) => {
      if (req.url !== "/metrics") return void res.writeHead(404).end();
      let series: EmittedSeries[] = [];
      try {
        series = (JSON.parse(fs.readFileSync(configFile, "utf8")) as { series: EmittedSeries[] }).series;
      } catch {
        // A file being rewritten: serve nothing this scrape rather than half a config.
      }
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(exposition(series, counted, Date.now()));
    })
    .listen(port, "127.0.0.1");
}

if (require.main === module) main(Number(process.argv[2]), process.argv[3]);
