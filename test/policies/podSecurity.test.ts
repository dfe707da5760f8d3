import * as assert from "assert";
import {
  containersDefaultProcMount,
  containersNoHostPorts,
  containersNoHostProbes,
  podsAppArmorProfile,
  podsNoWindowsHostProcess,
  podsRestrictedVolumeTypes,
  podsSafeSysctls,
  podsSeccompConfined,
  podsSeLinuxOptions,
  SAFE_SYSCTLS,
  workloadsCurrentApiVersion,
} from "../../policies/podSecurity";
import { resourcePolicies } from "../../policies/rules";
import { container, cronJob, deployment, podSpec, T } from "./fixtures";
import { validateResource, withProp } from "./helpers";

const POD = "spec.template.spec";
const C0 = `${POD}.containers.0`;
const LABEL = 'Deployment "api-gateway-stable" container "api-gateway"';
const WORKLOAD = 'Deployment "api-gateway-stable"';

function run(policy: Parameters<typeof validateResource>[0], ...changes: Array<[string, unknown]>): string[] {
  let props: object = deployment();
  for (const [path, value] of changes) {
    props = withProp(props, path, value);
  }
  return validateResource(
    policy,
    { type: T.deployment, name: "api-gateway-stable", props: props as Record<string, unknown> },
    {},
  );
}

describe("#pods-seccomp-confined", () => {
  it("passes RuntimeDefault on the pod", () => assert.deepStrictEqual(run(podsSeccompConfined), []));
  it("passes Localhost on the container only", () => {
    assert.deepStrictEqual(
      run(
        podsSeccompConfined,
        [`${POD}.securityContext.seccompProfile`, undefined],
        [`${C0}.securityContext.seccompProfile`, { type: "Localhost", localhostProfile: "profiles/app.json" }],
      ),
      [],
    );
  });
  it("fails when the pod sets Unconfined (baseline)", () => {
    assert.deepStrictEqual(run(podsSeccompConfined, [`${POD}.securityContext.seccompProfile.type`, "Unconfined"]), [
      `${WORKLOAD} spec.template.spec.securityContext.seccompProfile.type must not be "Unconfined"; use "RuntimeDefault" or "Localhost", even where containers override it.`,
    ]);
  });
  it("fails when the pod sets Unconfined although the container sets RuntimeDefault", () => {
    assert.strictEqual(
      run(
        podsSeccompConfined,
        [`${POD}.securityContext.seccompProfile.type`, "Unconfined"],
        [`${C0}.securityContext.seccompProfile`, { type: "RuntimeDefault" }],
      ).length,
      1,
    );
  });
  it("fails when a container sets Unconfined over the pod's RuntimeDefault", () => {
    assert.deepStrictEqual(run(podsSeccompConfined, [`${C0}.securityContext.seccompProfile`, { type: "Unconfined" }]), [
      `${LABEL} securityContext.seccompProfile.type must not be "Unconfined"; use "RuntimeDefault" or "Localhost".`,
    ]);
  });
  it("fails when no level sets a profile (restricted)", () => {
    assert.deepStrictEqual(run(podsSeccompConfined, [`${POD}.securityContext.seccompProfile`, undefined]), [
      `${LABEL} must run under a seccomp profile; set securityContext.seccompProfile.type: RuntimeDefault in the container's or the pod's securityContext.`,
    ]);
  });
  it("passes a Windows pod without a profile, and still refuses Unconfined there", () => {
    assert.deepStrictEqual(
      run(
        podsSeccompConfined,
        [`${POD}.os`, { name: "windows" }],
        [`${POD}.securityContext.seccompProfile`, undefined],
      ),
      [],
    );
    assert.strictEqual(
      run(
        podsSeccompConfined,
        [`${POD}.os`, { name: "windows" }],
        [`${POD}.securityContext.seccompProfile.type`, "Unconfined"],
      ).length,
      1,
    );
  });
  it("checks init and ephemeral containers", () => {
    const bad = withProp(container("debug"), "securityContext.seccompProfile", { type: "Unconfined" });
    assert.deepStrictEqual(
      run(
        podsSeccompConfined,
        [`${POD}.initContainers`, [withProp(bad, "name", "migrate")]],
        [`${POD}.ephemeralContainers`, [bad]],
      ),
      [
        `${WORKLOAD} init container "migrate" securityContext.seccompProfile.type must not be "Unconfined"; use "RuntimeDefault" or "Localhost".`,
        `${WORKLOAD} ephemeral container "debug" securityContext.seccompProfile.type must not be "Unconfined"; use "RuntimeDefault" or "Localhost".`,
      ],
    );
  });
});

describe("#pods-apparmor-profile", () => {
  it("passes no AppArmor settings", () => assert.deepStrictEqual(run(podsAppArmorProfile), []));
  for (const type of ["RuntimeDefault", "Localhost"]) {
    it(`passes ${type} on pod and container`, () => {
      assert.deepStrictEqual(
        run(
          podsAppArmorProfile,
          [`${POD}.securityContext.appArmorProfile`, { type }],
          [`${C0}.securityContext.appArmorProfile`, { type }],
        ),
        [],
      );
    });
  }
  it("fails when the pod sets Unconfined", () => {
    assert.deepStrictEqual(
      run(podsAppArmorProfile, [`${POD}.securityContext.appArmorProfile`, { type: "Unconfined" }]),
      [
        `${WORKLOAD} spec.template.spec.securityContext.appArmorProfile.type must not be "Unconfined"; use "RuntimeDefault" or "Localhost", or leave it unset.`,
      ],
    );
  });
  it("fails when a container sets Unconfined", () => {
    assert.deepStrictEqual(
      run(podsAppArmorProfile, [`${C0}.securityContext.appArmorProfile`, { type: "Unconfined" }]),
      [
        `${LABEL} securityContext.appArmorProfile.type must not be "Unconfined"; use "RuntimeDefault" or "Localhost", or leave it unset.`,
      ],
    );
  });
  it("passes the annotations runtime/default and localhost/*", () => {
    assert.deepStrictEqual(
      run(podsAppArmorProfile, [
        "spec.template.metadata.annotations",
        {
          "container.apparmor.security.beta.kubernetes.io/api-gateway": "runtime/default",
          "container.apparmor.security.beta.kubernetes.io/sidecar": "localhost/k8s-sidecar",
        },
      ]),
      [],
    );
  });
  it("fails when the annotation says unconfined", () => {
    assert.deepStrictEqual(
      run(podsAppArmorProfile, [
        "spec.template.metadata.annotations",
        { "container.apparmor.security.beta.kubernetes.io/api-gateway": "unconfined" },
      ]),
      [
        `${WORKLOAD} must not set annotation container.apparmor.security.beta.kubernetes.io/api-gateway to "unconfined"; use "runtime/default" or "localhost/<profile>".`,
      ],
    );
  });
});

describe("#pods-selinux-options", () => {
  for (const type of ["container_t", "container_init_t", "container_kvm_t", "container_engine_t", ""]) {
    it(`passes type ${JSON.stringify(type)}`, () =>
      assert.deepStrictEqual(
        run(podsSeLinuxOptions, [`${POD}.securityContext.seLinuxOptions`, { type, level: "s0:c123,c456" }]),
        [],
      ));
  }
  it("fails when the pod sets type spc_t", () => {
    assert.deepStrictEqual(run(podsSeLinuxOptions, [`${POD}.securityContext.seLinuxOptions`, { type: "spc_t" }]), [
      `${WORKLOAD} spec.template.spec.securityContext.seLinuxOptions.type must not be "spc_t"; use one of container_t, container_init_t, container_kvm_t, container_engine_t, or leave it unset.`,
    ]);
  });
  it("fails when a container sets a user", () => {
    assert.deepStrictEqual(run(podsSeLinuxOptions, [`${C0}.securityContext.seLinuxOptions`, { user: "system_u" }]), [
      `${LABEL} securityContext.seLinuxOptions.user must not be "system_u"; leave it unset.`,
    ]);
  });
  it("fails when a container sets a role", () => {
    assert.deepStrictEqual(run(podsSeLinuxOptions, [`${C0}.securityContext.seLinuxOptions`, { role: "system_r" }]), [
      `${LABEL} securityContext.seLinuxOptions.role must not be "system_r"; leave it unset.`,
    ]);
  });
});

describe("#containers-default-proc-mount", () => {
  it("passes procMount Default", () =>
    assert.deepStrictEqual(run(containersDefaultProcMount, [`${C0}.securityContext.procMount`, "Default"]), []));
  it("passes procMount unset", () => assert.deepStrictEqual(run(containersDefaultProcMount), []));
  it("fails Unmasked in a user namespace too (restricted; baseline alone would allow it with hostUsers: false)", () => {
    assert.strictEqual(
      run(containersDefaultProcMount, [`${POD}.hostUsers`, false], [`${C0}.securityContext.procMount`, "Unmasked"])
        .length,
      1,
    );
  });
  it("fails when procMount is Unmasked", () => {
    assert.deepStrictEqual(run(containersDefaultProcMount, [`${C0}.securityContext.procMount`, "Unmasked"]), [
      `${LABEL} securityContext.procMount must not be "Unmasked"; use "Default" or leave it unset.`,
    ]);
  });
});

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
          `${WORKLOAD} must not mount volume "data" of type "${type}"; use one of configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret.`,
        ],
      );
    });
  }
});

describe("workloads in removed API versions", () => {
  const OLD: Array<[string, object]> = [
    ["kubernetes:batch/v1beta1:CronJob", cronJob()],
    ["kubernetes:batch/v2alpha1:CronJob", cronJob()],
    ...["Deployment", "DaemonSet", "ReplicaSet"].map((k): [string, object] => [
      `kubernetes:extensions/v1beta1:${k}`,
      deployment(),
    ]),
    ...["Deployment", "StatefulSet"].map((k): [string, object] => [`kubernetes:apps/v1beta1:${k}`, deployment()]),
    ...["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"].map((k): [string, object] => [
      `kubernetes:apps/v1beta2:${k}`,
      deployment(),
    ]),
  ];
  for (const [type, props] of OLD) {
    it(`#workloads-current-api-version refuses ${type} naming the current version`, () => {
      const [, version, kind] = type.split(":");
      const current = kind === "CronJob" ? "batch/v1" : "apps/v1";
      const name = kind === "CronJob" ? "nightly-report" : "api-gateway-stable";
      assert.deepStrictEqual(validateResource(workloadsCurrentApiVersion, { type, props }), [
        `${kind} "${name}" must use apiVersion ${current}: ${version} is no longer served by Kubernetes; declare it as kubernetes:${current}:${kind}.`,
      ]);
    });

    it(`checks ${type} like its current version: a bare pod with host namespaces fails every relevant policy`, () => {
      const bare = {
        containers: [{ name: "app", image: "app:latest" }],
        hostPID: true,
        hostIPC: true,
        hostNetwork: true,
      };
      const spec = type.endsWith("CronJob")
        ? { jobTemplate: { spec: { template: { spec: bare } } } }
        : { template: { spec: bare } };
      const failing = resourcePolicies
        .filter((p) => validateResource(p, { type, props: { metadata: { name: "x" }, spec } }).length > 0)
        .map((p) => p.name);
      for (const name of [
        "container-resources-required",
        "containers-run-as-non-root",
        "containers-no-privilege-escalation",
        "pods-no-host-namespaces",
        "container-images-pinned",
        "pods-seccomp-confined",
        "workloads-current-api-version",
      ]) {
        assert.ok(failing.includes(name), `${type}: ${name} did not fail (failing: ${failing.join(", ")})`);
      }
    });
  }

  it("passes the current versions", () => {
    assert.deepStrictEqual(
      validateResource(workloadsCurrentApiVersion, { type: T.deployment, props: deployment() }),
      [],
    );
    assert.deepStrictEqual(validateResource(workloadsCurrentApiVersion, { type: T.cronJob, props: cronJob() }), []);
  });
});

describe("pod templates", () => {
  it("checks a core/v1 PodTemplate's template", () => {
    const props = {
      metadata: { name: "worker" },
      template: { spec: withProp(podSpec(), "securityContext.seccompProfile.type", "Unconfined") },
    };
    assert.strictEqual(
      validateResource(podsSeccompConfined, { type: "kubernetes:core/v1:PodTemplate", props }).length,
      1,
    );
  });
});

describe("patches (server-side apply of part of a live object)", () => {
  const PATCH = "kubernetes:apps/v1:DeploymentPatch";
  const patch = (securityContext: object) => ({
    metadata: { name: "api-gateway-stable" },
    spec: { template: { spec: { containers: [{ name: "api-gateway", securityContext }] } } },
  });

  it("checks the values a DeploymentPatch sets", () => {
    assert.deepStrictEqual(
      validateResource(
        resourcePolicies.find((p) => p.name === "containers-not-privileged")!,
        { type: PATCH, props: patch({ privileged: true }) },
      ),
      [
        'DeploymentPatch "api-gateway-stable" container "api-gateway" must not run privileged; remove securityContext.privileged or set it to false.',
      ],
    );
    assert.strictEqual(
      validateResource(
        resourcePolicies.find((p) => p.name === "containers-no-privilege-escalation")!,
        { type: PATCH, props: patch({ allowPrivilegeEscalation: true }) },
      ).length,
      1,
    );
    assert.strictEqual(
      validateResource(podsSeccompConfined, { type: PATCH, props: patch({ seccompProfile: { type: "Unconfined" } }) })
        .length,
      1,
    );
  });

  it("does not ask a patch for the fields it leaves to the live object", () => {
    const failing = resourcePolicies
      .filter((p) => validateResource(p, { type: PATCH, props: patch({ runAsUser: 10001 }) }).length > 0)
      .map((p) => p.name);
    assert.deepStrictEqual(failing, []);
  });

  it("refuses a patch in a removed API version, naming the current one", () => {
    assert.deepStrictEqual(
      validateResource(workloadsCurrentApiVersion, {
        type: "kubernetes:extensions/v1beta1:DeploymentPatch",
        props: patch({}),
      }),
      [
        'DeploymentPatch "api-gateway-stable" must use apiVersion apps/v1: extensions/v1beta1 is no longer served by Kubernetes; declare it as kubernetes:apps/v1:DeploymentPatch.',
      ],
    );
  });

  it("covers the patch of every kind and version", () => {
    for (const type of [
      "kubernetes:batch/v1:CronJobPatch",
      "kubernetes:core/v1:PodPatch",
      "kubernetes:apps/v1beta2:StatefulSetPatch",
      "kubernetes:batch/v1beta1:CronJobPatch",
    ]) {
      assert.ok(podsSeccompConfined.types.has(type), type);
    }
  });
});
