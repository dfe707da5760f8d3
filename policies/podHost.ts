// The Pod Security Standards controls of host reach: host ports, probes and lifecycle hooks aimed at another host,
// and Windows HostProcess containers.
import { allowedValue } from "./lib/allowed";
import { get, list, PathStep, show } from "./lib/values";
import { ContainerContext, PodContext, workloadPolicy } from "./lib/workload";

export interface HostPortsConfig {
  /** Host ports a container may bind; the Standards allow "a known list", empty by default. */
  allowedHostPorts: number[];
}

export const containersNoHostPorts = workloadPolicy<HostPortsConfig>({
  name: "containers-no-host-ports",
  description:
    'Checks whether no container binds a host port outside the allowed list (Pod Security Standards "Host Ports").',
  defaults: { allowedHostPorts: [] },
  configSchema: { properties: { allowedHostPorts: { type: "array", items: { type: "integer" }, default: [] } } },
  checkContainer: (c, _pod, config, report) => {
    const ports = list(c.container, "ports");
    if (!report.known(ports, `${c.label} ports`)) {
      return;
    }
    ports.forEach((port, i) => {
      const hostPort = get(port, "hostPort");
      if (
        report.known(hostPort, `${c.label} ports[${i}].hostPort`) &&
        hostPort !== undefined &&
        hostPort !== null &&
        hostPort !== 0 &&
        !config.allowedHostPorts.includes(hostPort as number)
      ) {
        report.fail(
          `${c.label} must not bind host port ${show(hostPort)}; remove ports[${i}].hostPort and reach the pod through a Service.`,
        );
      }
    });
  },
});

/**
 * Every handler that can carry a host (Pod Security Standards "Host Probes / Lifecycle Hooks", 1.34+): the three
 * probes and the two lifecycle hooks, each with an HTTP GET or a TCP socket action (tcpSocket is deprecated as a
 * lifecycle action, but the API still accepts it, so the Standards check it).
 */
export const PROBE_HANDLERS: ReadonlyArray<readonly [string, PathStep[]]> = [
  ["livenessProbe", ["livenessProbe"]],
  ["readinessProbe", ["readinessProbe"]],
  ["startupProbe", ["startupProbe"]],
  ["lifecycle.postStart", ["lifecycle", "postStart"]],
  ["lifecycle.preStop", ["lifecycle", "preStop"]],
];
export const PROBE_ACTIONS = ["httpGet", "tcpSocket"] as const;

export const containersNoHostProbes = workloadPolicy({
  name: "containers-no-host-probes",
  description:
    'Checks whether no probe or lifecycle hook of a container, init container or ephemeral container targets another host (Pod Security Standards "Host Probes / Lifecycle Hooks": httpGet.host and tcpSocket.host unset or empty).',
  checkContainer: (c, _pod, _config, report) => {
    for (const [name, path] of PROBE_HANDLERS) {
      for (const action of PROBE_ACTIONS) {
        allowedValue(
          get(c.container, ...path, action, "host"),
          `${c.label} ${name}.${action}.host`,
          [""],
          report,
          "remove it so the kubelet probes the pod's own IP",
        );
      }
    }
  },
});

export const podsNoWindowsHostProcess = workloadPolicy({
  name: "pods-no-windows-host-process",
  description:
    'Checks whether no Windows pod or container runs as a HostProcess (Pod Security Standards "HostProcess").',
  checkPod: (pod, _config, report) => {
    allowedValue(
      get(pod.spec, "securityContext", "windowsOptions", "hostProcess"),
      `${pod.label} ${pod.path}.securityContext.windowsOptions.hostProcess`,
      [false],
      report,
      "set it to false or remove it",
    );
  },
  checkContainer: (c: ContainerContext, _pod: PodContext, _config, report) => {
    allowedValue(
      get(c.container, "securityContext", "windowsOptions", "hostProcess"),
      `${c.label} securityContext.windowsOptions.hostProcess`,
      [false],
      report,
      "set it to false or remove it",
    );
  },
});
