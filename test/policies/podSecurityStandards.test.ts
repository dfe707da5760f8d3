// The Pod Security Admission checks of Kubernetes 1.35 as tables: every field the official check reads, each
// allowed and each refused value, as the admission fixtures cover them.
import * as assert from "assert";
import {
  containersNoHostProbes,
  PROBE_ACTIONS,
  PROBE_HANDLERS,
  podsRestrictedVolumeTypes,
  podsSafeSysctls,
  RESTRICTED_VOLUME_TYPES,
  SAFE_SYSCTLS,
} from "../../policies/podSecurity";
import { container, cronJob, pod, T } from "./fixtures";
import { validateResource, withProp } from "./helpers";
import { POD, run, WORKLOAD } from "./podSecurityRun";

const ROLES: Array<[string, string]> = [
  ["containers", "container"],
  ["initContainers", "init container"],
  ["ephemeralContainers", "ephemeral container"],
];

describe("Host Probes / Lifecycle Hooks (baseline, 1.34+): every handler of every container", () => {
  for (const [field, role] of ROLES) {
    for (const [handler, path] of PROBE_HANDLERS) {
      for (const action of PROBE_ACTIONS) {
        it(`refuses ${field}[*].${handler}.${action}.host, allows it empty or unset`, () => {
          const at = [...path, action].join(".");
          const subject = (host: string | undefined) =>
            withProp(container("probe"), at, host === undefined ? { port: 8080 } : { host, port: 8080 });
          assert.deepStrictEqual(run(containersNoHostProbes, [`${POD}.${field}`, [subject("10.0.0.1")]]), [
            `${WORKLOAD} ${role} "probe" ${handler}.${action}.host must not be "10.0.0.1"; remove it so the kubelet probes the pod's own IP.`,
          ]);
          assert.deepStrictEqual(run(containersNoHostProbes, [`${POD}.${field}`, [subject("")]]), []);
          assert.deepStrictEqual(run(containersNoHostProbes, [`${POD}.${field}`, [subject(undefined)]]), []);
        });
      }
    }
  }
  it("refuses localhost and the node's name as much as an address", () => {
    for (const host of ["localhost", "127.0.0.1", "node-1.internal"]) {
      assert.strictEqual(
        run(containersNoHostProbes, [`${POD}.containers.0.readinessProbe.httpGet.host`, host]).length,
        1,
      );
    }
  });
  it("checks a Job, a CronJob and a bare Pod too", () => {
    const bad = withProp(container("probe"), "livenessProbe.tcpSocket", { host: "10.0.0.1", port: 80 });
    const cases: Array<[string, object]> = [
      [T.job, { metadata: { name: "j" }, spec: { template: { spec: { containers: [bad] } } } }],
      [T.cronJob, withProp(cronJob(), "spec.jobTemplate.spec.template.spec.containers", [bad])],
      [T.pod, withProp(pod(), "spec.containers", [bad])],
    ];
    for (const [type, props] of cases) {
      assert.strictEqual(validateResource(containersNoHostProbes, { type, props }).length, 1, type);
    }
  });
});

describe("Sysctls (baseline): the safe list of 1.32+", () => {
  it("is the official list", () => {
    assert.deepStrictEqual([...SAFE_SYSCTLS].sort(), [
      "kernel.shm_rmid_forced",
      "net.ipv4.ip_local_port_range",
      "net.ipv4.ip_local_reserved_ports",
      "net.ipv4.ip_unprivileged_port_start",
      "net.ipv4.ping_group_range",
      "net.ipv4.tcp_fin_timeout",
      "net.ipv4.tcp_keepalive_intvl",
      "net.ipv4.tcp_keepalive_probes",
      "net.ipv4.tcp_keepalive_time",
      "net.ipv4.tcp_rmem",
      "net.ipv4.tcp_syncookies",
      "net.ipv4.tcp_wmem",
    ]);
  });
  for (const name of SAFE_SYSCTLS) {
    it(`allows ${name}`, () =>
      assert.deepStrictEqual(run(podsSafeSysctls, [`${POD}.securityContext.sysctls`, [{ name, value: "1" }]]), []));
  }
  for (const name of ["kernel.msgmax", "net.core.somaxconn", "net.ipv4.ip_forward", "kernel.shm_rmid_forced.x", ""]) {
    it(`refuses ${JSON.stringify(name)}`, () =>
      assert.strictEqual(run(podsSafeSysctls, [`${POD}.securityContext.sysctls`, [{ name, value: "1" }]]).length, 1));
  }
});

describe("Volume Types (restricted): exactly one allowed source per volume", () => {
  const volumes = (...vs: object[]) => run(podsRestrictedVolumeTypes, [`${POD}.volumes`, vs]);
  const ALLOWED = RESTRICTED_VOLUME_TYPES.join(", ");
  it("is Pod Security Admission's list: the Standards page's eight and image volumes (1.33+)", () =>
    assert.deepStrictEqual(RESTRICTED_VOLUME_TYPES, [
      "configMap",
      "csi",
      "downwardAPI",
      "emptyDir",
      "ephemeral",
      "image",
      "persistentVolumeClaim",
      "projected",
      "secret",
    ]));
  for (const type of RESTRICTED_VOLUME_TYPES) {
    it(`allows a ${type} volume`, () => assert.deepStrictEqual(volumes({ name: "v", [type]: {} }), []));
  }
  // The sources the official check names (check_restrictedVolumes.go), hostPath included.
  for (const type of [
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "portworxVolume",
    "photonPersistentDisk",
    "scaleIO",
    "storageos",
  ]) {
    it(`refuses a ${type} volume`, () =>
      assert.deepStrictEqual(volumes({ name: "v", [type]: {} }), [
        `${WORKLOAD} must not mount volume "v" of type "${type}"; use one of ${ALLOWED}.`,
      ]));
  }
  for (const [what, volume] of [
    ["only a name", { name: "v" }],
    ["a null source", { name: "v", emptyDir: null }],
  ] as Array<[string, object]>) {
    it(`refuses a volume with ${what}: it names no source`, () =>
      assert.deepStrictEqual(volumes(volume), [
        `${WORKLOAD} must not mount volume "v" without a source; set exactly one of ${ALLOWED}.`,
      ]));
  }
  it("refuses a volume with two sources, even both allowed, and names a refused one first", () => {
    assert.deepStrictEqual(volumes({ name: "v", emptyDir: {}, secret: { secretName: "s" } }), [
      `${WORKLOAD} must not mount volume "v" with several sources (emptyDir, secret); set exactly one of ${ALLOWED}.`,
    ]);
    assert.deepStrictEqual(volumes({ name: "v", configMap: { name: "c" }, hostPath: { path: "/" } }), [
      `${WORKLOAD} must not mount volume "v" of type "hostPath"; use one of ${ALLOWED}.`,
    ]);
  });
});
