// A real Prometheus where production has it: inside the cluster network, reachable only through the API server.
// kube-apiserver proxies a Service only to endpoints that are Pods holding that IP, so: a Pod prometheus-server-0 and
// a Service prometheus-server in `monitoring` (kwok schedules the Pod and gives it a pod IP), a network namespace
// whose veth end has that pod IP, Prometheus (built by `npm run tools`) and the metrics emitter running inside it,
// and a host route for the pod IP to the veth. The driver reaches it only as
// /api/v1/namespaces/monitoring/services/prometheus-server:80/proxy/... Everything is removed again by its id.
import { ChildProcess, execFile, spawn } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { EmittedSeries } from "./metricsEmitter";
import { kubectl, NAMESPACE, poll, REPO, theWorld } from "./harness";

export const MONITORING_NAMESPACE = "monitoring";
export const PROMETHEUS_URL = `http://prometheus-server.${MONITORING_NAMESPACE}.svc.cluster.local`;
const EMITTER_PORT = 9091;
const PROMETHEUS_PORT = 9090;
/** The host end's address: link-local, on a veth of our own, so it can never collide with a real network. */
const HOST_END = "169.254.214.1";

export interface Monitoring {
  podIp: string;
  /** Replaces what the emitter serves (atomically: the emitter never reads half a file). */
  serve(series: EmittedSeries[]): void;
  stop(): Promise<void>;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(" ")}: ${stderr || err.message}`)) : resolve(stdout),
    );
  });
}

function manifests(): string {
  const labels = { "app.kubernetes.io/name": "prometheus-server", "app.kubernetes.io/managed-by": "slipway-e2e" };
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "prometheus-server-0", namespace: MONITORING_NAMESPACE, labels },
    spec: {
      containers: [
        {
          name: "prometheus",
          image: "quay.io/prometheus/prometheus:v3.16.0",
          ports: [{ name: "web", containerPort: PROMETHEUS_PORT }],
        },
      ],
    },
  };
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "prometheus-server", namespace: MONITORING_NAMESPACE, labels },
    spec: { selector: labels, ports: [{ name: "web", port: 80, targetPort: PROMETHEUS_PORT }] },
  };
  return JSON.stringify({ apiVersion: "v1", kind: "List", items: [pod, service] });
}

/** Scrape every second; label the emitter's series the way the seed queries (kubernetes-pods + labelmap) expect. */
function prometheusConfig(): string {
  return [
    "global: {scrape_interval: 1s, evaluation_interval: 1s}",
    "scrape_configs:",
    "  - job_name: kubernetes-pods",
    `    static_configs: [{targets: ["127.0.0.1:${EMITTER_PORT}"], labels: {namespace: ${NAMESPACE}}}]`,
    "    metric_relabel_configs:",
    "      - {source_labels: [app], target_label: app_kubernetes_io_name}",
    "      - {source_labels: [version], target_label: app_kubernetes_io_version}",
    "      - {regex: app|version, action: labeldrop}",
    "",
  ].join("\n");
}

/** Interface names of at most 15 characters, unique per e2e namespace. */
function names(): { netns: string; host: string; inside: string } {
  const tag = createHash("sha256").update(NAMESPACE).digest("hex").slice(0, 6);
  return { netns: `slipway-prom-${tag}`, host: `swp${tag}h`, inside: `swp${tag}n` };
}

export async function startMonitoring(): Promise<Monitoring> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-prom-"));
  const undo: Array<() => Promise<unknown>> = [];
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : undefined)));
    for (const step of undo.reverse()) await step().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const podIp = await clusterSide(dir, undo);
    await networkSide(podIp, undo);
    const seriesFile = path.join(dir, "series.json");
    const serve = (series: EmittedSeries[]) => {
      fs.writeFileSync(`${seriesFile}.tmp`, JSON.stringify({ series }));
      fs.renameSync(`${seriesFile}.tmp`, seriesFile);
    };
    serve([]);
    children.push(...startProcesses(dir, seriesFile));
    await poll(
      "Prometheus to answer through the API server",
      () => upThroughProxy(),
      (ok) => ok,
      60_000,
    );
    return { podIp, serve, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function clusterSide(dir: string, undo: Array<() => Promise<unknown>>): Promise<string> {
  const existed = await kubectl("get", "namespace", MONITORING_NAMESPACE).then(
    () => true,
    () => false,
  );
  if (!existed) {
    await kubectl("create", "namespace", MONITORING_NAMESPACE);
    undo.push(() => kubectl("delete", "namespace", MONITORING_NAMESPACE, "--wait=false"));
  }
  const file = path.join(dir, "monitoring.json");
  fs.writeFileSync(file, manifests());
  await kubectl("create", "-f", file);
  undo.push(() => kubectl("delete", "-f", file, "--ignore-not-found", "--wait=false"));
  const ip = await poll(
    "a pod IP for prometheus-server-0",
    () =>
      kubectl("-n", MONITORING_NAMESPACE, "get", "pod", "prometheus-server-0", "-o", "jsonpath={.status.podIP}").then(
        (s) => s.trim(),
      ),
    (s) => /^\d+\.\d+\.\d+\.\d+$/.test(s),
  );
  await poll(
    "the prometheus-server endpoints",
    () =>
      kubectl(
        "-n",
        MONITORING_NAMESPACE,
        "get",
        "endpointslices",
        "-l",
        "kubernetes.io/service-name=prometheus-server",
        "-o",
        "jsonpath={.items[*].endpoints[*].addresses[*]}",
      ),
    (s) => s.includes(ip),
  );
  return ip;
}

async function networkSide(podIp: string, undo: Array<() => Promise<unknown>>): Promise<void> {
  const n = names();
  await run("ip", ["netns", "add", n.netns]);
  undo.push(() => run("ip", ["netns", "delete", n.netns]));
  await run("ip", ["link", "add", n.host, "type", "veth", "peer", "name", n.inside]);
  undo.push(() => run("ip", ["link", "delete", n.host]));
  await run("ip", ["link", "set", n.inside, "netns", n.netns]);
  await run("ip", ["addr", "add", `${HOST_END}/32`, "dev", n.host]);
  await run("ip", ["link", "set", n.host, "up"]);
  const inside = (...args: string[]) => run("ip", ["netns", "exec", n.netns, "ip", ...args]);
  await inside("link", "set", "lo", "up");
  await inside("addr", "add", `${podIp}/32`, "dev", n.inside);
  await inside("link", "set", n.inside, "up");
  await inside("route", "add", `${HOST_END}/32`, "dev", n.inside);
  await run("ip", ["route", "add", `${podIp}/32`, "dev", n.host, "src", HOST_END]);
  undo.push(() => run("ip", ["route", "delete", `${podIp}/32`, "dev", n.host]));
}

function startProcesses(dir: string, seriesFile: string): ChildProcess[] {
  const n = names();
  const env = theWorld().env;
  const config = path.join(dir, "prometheus.yml");
  fs.writeFileSync(config, prometheusConfig());
  const log = fs.openSync(path.join(dir, "processes.log"), "a");
  const inNetns = (cmd: string, args: string[]) =>
    spawn("ip", ["netns", "exec", n.netns, cmd, ...args], { cwd: REPO, env, stdio: ["ignore", log, log] });
  const bin = path.join(env.SLIPWAY_ENGINE_ROOT ?? "", "bin", "prometheus");
  if (!fs.existsSync(bin))
    throw new Error(`${bin} is missing: run \`npm run tools\` (it builds Prometheus into the engine)`);
  const emitter = inNetns(process.execPath, [
    "-r",
    "ts-node/register/transpile-only",
    path.join(REPO, "test", "e2e", "metricsEmitter.ts"),
    String(EMITTER_PORT),
    seriesFile,
  ]);
  const prometheus = inNetns(bin, [
    `--config.file=${config}`,
    `--storage.tsdb.path=${path.join(dir, "data")}`,
    `--web.listen-address=0.0.0.0:${PROMETHEUS_PORT}`,
    "--log.level=warn",
  ]);
  fs.closeSync(log);
  return [emitter, prometheus];
}

async function upThroughProxy(): Promise<boolean> {
  const out = await kubectl(
    "get",
    "--raw",
    `/api/v1/namespaces/${MONITORING_NAMESPACE}/services/prometheus-server:web/proxy/api/v1/query?query=up`,
  ).catch(() => "");
  return /"status":"success"/.test(out) && /"value":\[[\d.]+,"1"\]/.test(out);
}
