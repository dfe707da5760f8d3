import * as assert from "assert";
import {
  containersNoHostPorts,
  containersNoHostProbes,
  podsNoWindowsHostProcess,
  podsRestrictedVolumeTypes,
  podsSafeSysctls,
  SAFE_SYSCTLS,
} from "../../policies/podSecurity";
import { deployment, T } from "./fixtures";
import { validateResource, withProp } from "./helpers";
import { C0, LABEL, POD, run, WORKLOAD } from "./podSecurityRun";

describe("#pods-safe-sysctls", () => {
  it("passes every safe sysctl", () => {
    assert.deepStrictEqual(
      run(podsSafeSysctls, [`${POD}.securityContext.sysctls`, SAFE_SYSCTLS.map((name) => ({ name, value: "1" }))]),
      [],
    );
  });
  it("fails when an unsafe sysctl is set", () => {
    assert.deepStrictEqual(
      run(podsSafeSysctls, [
        `${POD}.securityContext.sysctls`,
        [
          { name: "net.ipv4.tcp_syncookies", value: "1" },
          { name: "kernel.msgmax", value: "65536" },
        ],
      ]),
      [
        `${WORKLOAD} must not set sysctl "kernel.msgmax": it is not namespaced to the pod; remove it from spec.template.spec.securityContext.sysctls (safe: ${SAFE_SYSCTLS.join(", ")}).`,
      ],
    );
  });
});

describe("#containers-no-host-ports", () => {
  it("passes container ports without hostPort, and hostPort 0", () => {
    assert.deepStrictEqual(
      run(containersNoHostPorts, [`${C0}.ports`, [{ containerPort: 8000 }, { containerPort: 8001, hostPort: 0 }]]),
      [],
    );
  });
  it("fails when a container binds a host port", () => {
    assert.deepStrictEqual(run(containersNoHostPorts, [`${C0}.ports`, [{ containerPort: 8000, hostPort: 8000 }]]), [
      `${LABEL} must not bind host port 8000; remove ports[0].hostPort and reach the pod through a Service.`,
    ]);
  });
  it("passes a host port on the stack's allowed list", () => {
    const props = withProp(deployment(), `${C0}.ports`, [{ containerPort: 8000, hostPort: 8000 }]);
    assert.deepStrictEqual(
      validateResource(containersNoHostPorts, { type: T.deployment, props }, { allowedHostPorts: [8000] }),
      [],
    );
  });
});

describe("#containers-no-host-probes", () => {
  it("passes probes against the pod itself", () => assert.deepStrictEqual(run(containersNoHostProbes), []));
  it("passes an empty host", () =>
    assert.deepStrictEqual(run(containersNoHostProbes, [`${C0}.livenessProbe.httpGet.host`, ""]), []));
  for (const [field, path] of [
    ["readinessProbe.httpGet", "readinessProbe.httpGet"],
    ["startupProbe.tcpSocket", "startupProbe.tcpSocket"],
    ["lifecycle.preStop.httpGet", "lifecycle.preStop.httpGet"],
    ["lifecycle.postStart.tcpSocket", "lifecycle.postStart.tcpSocket"],
  ]) {
    it(`fails when ${field}.host is set`, () => {
      assert.deepStrictEqual(run(containersNoHostProbes, [`${C0}.${path}`, { host: "169.254.169.254", port: 80 }]), [
        `${LABEL} ${field}.host must not be "169.254.169.254"; remove it so the kubelet probes the pod's own IP.`,
      ]);
    });
  }
});

describe("#pods-no-windows-host-process", () => {
  it("passes hostProcess false", () =>
    assert.deepStrictEqual(
      run(podsNoWindowsHostProcess, [`${POD}.securityContext.windowsOptions.hostProcess`, false]),
      [],
    ));
  it("fails when the pod is a HostProcess pod", () => {
    assert.deepStrictEqual(run(podsNoWindowsHostProcess, [`${POD}.securityContext.windowsOptions.hostProcess`, true]), [
      `${WORKLOAD} spec.template.spec.securityContext.windowsOptions.hostProcess must not be true; set it to false or remove it.`,
    ]);
  });
  it("fails when a container is a HostProcess container", () => {
    assert.deepStrictEqual(
      run(podsNoWindowsHostProcess, [`${C0}.securityContext.windowsOptions`, { hostProcess: true }]),
      [`${LABEL} securityContext.windowsOptions.hostProcess must not be true; set it to false or remove it.`],
    );
  });
});

describe("#pods-restricted-volume-types", () => {
  it("passes every allowed type", () => {
    const volumes = [
      "configMap",
      "csi",
      "downwardAPI",
      "emptyDir",
      "ephemeral",
      "persistentVolumeClaim",
      "projected",
      "secret",
    ].map((t, i) => ({ name: `v${i}`, [t]: {} }));
    assert.deepStrictEqual(run(podsRestrictedVolumeTypes, [`${POD}.volumes`, volumes]), []);
  });
  for (const type of ["hostPath", "nfs", "awsElasticBlockStore", "gitRepo", "iscsi", "flexVolume", "cephfs"]) {
    it(`fails when a volume is ${type}`, () => {
      assert.deepStrictEqual(
        run(podsRestrictedVolumeTypes, [`${POD}.volumes`, [{ name: "data", [type]: { path: "/x" } }]]),
        [
          `${WORKLOAD} must not mount volume "data" of type "${type}"; use one of configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret.`,
        ],
      );
    });
  }
});
