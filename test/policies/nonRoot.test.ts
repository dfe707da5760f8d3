import * as assert from "assert";
import {
  containersDropAllCapabilities,
  containersNoPrivilegeEscalation,
  containersNotPrivileged,
  containersReadOnlyRootFilesystem,
  containersRunAsNonRoot,
  podsNoHostNamespaces,
  podsNoHostPath,
  podsNoRootGroups,
} from "../../policies/nonRoot";
import { container, deployment, T } from "./fixtures";
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
  return validateResource(policy, {
    type: T.deployment,
    name: "api-gateway-stable",
    props: props as Record<string, unknown>,
  });
}

describe("#containers-run-as-non-root: the effective runAsNonRoot and container UID", () => {
  it("passes runAsNonRoot at both levels", () => assert.deepStrictEqual(run(containersRunAsNonRoot), []));

  it("passes runAsNonRoot set only on the pod", () => {
    assert.deepStrictEqual(run(containersRunAsNonRoot, [`${C0}.securityContext.runAsNonRoot`, undefined]), []);
  });

  it("passes runAsNonRoot set only on the container", () => {
    assert.deepStrictEqual(run(containersRunAsNonRoot, [`${POD}.securityContext.runAsNonRoot`, undefined]), []);
  });

  it("fails when runAsNonRoot is set nowhere", () => {
    assert.deepStrictEqual(
      run(
        containersRunAsNonRoot,
        [`${POD}.securityContext.runAsNonRoot`, undefined],
        [`${C0}.securityContext.runAsNonRoot`, undefined],
      ),
      [
        `${LABEL} must run as non-root; set securityContext.runAsNonRoot: true in the container's or the pod's securityContext.`,
      ],
    );
  });

  it("fails when the container overrides the pod's runAsNonRoot with false", () => {
    assert.deepStrictEqual(run(containersRunAsNonRoot, [`${C0}.securityContext.runAsNonRoot`, false]), [
      `${LABEL} must run as non-root; set securityContext.runAsNonRoot: true instead of false.`,
    ]);
  });

  it("fails when the container runs as user 0", () => {
    assert.deepStrictEqual(run(containersRunAsNonRoot, [`${C0}.securityContext.runAsUser`, 0]), [
      `${LABEL} must not run as user 0 (root); set securityContext.runAsUser to a non-zero UID such as 10001.`,
    ]);
  });
});

describe("#containers-run-as-non-root: pod-level values, user namespaces, init and ephemeral containers", () => {
  it("fails when the pod runs as user 0 and the container does not override it", () => {
    assert.deepStrictEqual(
      run(
        containersRunAsNonRoot,
        [`${C0}.securityContext.runAsUser`, undefined],
        [`${POD}.securityContext.runAsUser`, 0],
      ),
      [
        `${WORKLOAD} must not set spec.template.spec.securityContext.runAsUser: 0 (root), even where containers override it; use a non-zero UID such as 10001.`,
      ],
    );
  });

  it("fails when the pod runs as user 0 although every container overrides it (the Standards refuse the pod-level value)", () => {
    assert.deepStrictEqual(run(containersRunAsNonRoot, [`${POD}.securityContext.runAsUser`, 0]), [
      `${WORKLOAD} must not set spec.template.spec.securityContext.runAsUser: 0 (root), even where containers override it; use a non-zero UID such as 10001.`,
    ]);
  });

  it("fails when the pod sets runAsNonRoot false although every container sets true", () => {
    assert.deepStrictEqual(run(containersRunAsNonRoot, [`${POD}.securityContext.runAsNonRoot`, false]), [
      `${WORKLOAD} must not set spec.template.spec.securityContext.runAsNonRoot: false, even where containers override it; set it to true.`,
    ]);
  });

  it("fails the pod and the container when the pod sets runAsNonRoot false and the container leaves it unset", () => {
    assert.deepStrictEqual(
      run(
        containersRunAsNonRoot,
        [`${POD}.securityContext.runAsNonRoot`, false],
        [`${C0}.securityContext.runAsNonRoot`, undefined],
      ),
      [
        `${WORKLOAD} must not set spec.template.spec.securityContext.runAsNonRoot: false, even where containers override it; set it to true.`,
        `${LABEL} must run as non-root; set securityContext.runAsNonRoot: true in the container's or the pod's securityContext.`,
      ],
    );
  });

  it("passes UID 0 and runAsNonRoot false in a user namespace (hostUsers: false, Kubernetes 1.35)", () => {
    assert.deepStrictEqual(
      run(
        containersRunAsNonRoot,
        [`${POD}.hostUsers`, false],
        [`${POD}.securityContext.runAsUser`, 0],
        [`${C0}.securityContext.runAsUser`, 0],
        [`${C0}.securityContext.runAsNonRoot`, false],
      ),
      [],
    );
  });

  it("still fails UID 0 with hostUsers: true", () => {
    assert.strictEqual(
      run(containersRunAsNonRoot, [`${POD}.hostUsers`, true], [`${C0}.securityContext.runAsUser`, 0]).length,
      1,
    );
  });

  it("checks ephemeral containers", () => {
    const debug = withProp(container("debug"), "securityContext.runAsUser", 0);
    assert.deepStrictEqual(run(containersRunAsNonRoot, [`${POD}.ephemeralContainers`, [debug]]), [
      `${WORKLOAD} ephemeral container "debug" must not run as user 0 (root); set securityContext.runAsUser to a non-zero UID such as 10001.`,
    ]);
  });

  it("checks init containers", () => {
    const init = withProp(container("migrate"), "securityContext.runAsNonRoot", false);
    assert.deepStrictEqual(run(containersRunAsNonRoot, [`${POD}.initContainers`, [init]]), [
      `${WORKLOAD} init container "migrate" must run as non-root; set securityContext.runAsNonRoot: true instead of false.`,
    ]);
  });
});

describe("#containers-not-privileged", () => {
  it("passes privileged: false", () => assert.deepStrictEqual(run(containersNotPrivileged), []));
  it("passes privileged unset", () =>
    assert.deepStrictEqual(run(containersNotPrivileged, [`${C0}.securityContext.privileged`, undefined]), []));
  it("fails when privileged is true", () => {
    assert.deepStrictEqual(run(containersNotPrivileged, [`${C0}.securityContext.privileged`, true]), [
      `${LABEL} must not run privileged; remove securityContext.privileged or set it to false.`,
    ]);
  });
});

describe("#containers-no-privilege-escalation", () => {
  it("passes allowPrivilegeEscalation: false", () => assert.deepStrictEqual(run(containersNoPrivilegeEscalation), []));
  it("fails when allowPrivilegeEscalation is true", () => {
    assert.deepStrictEqual(
      run(containersNoPrivilegeEscalation, [`${C0}.securityContext.allowPrivilegeEscalation`, true]),
      [`${LABEL} must set securityContext.allowPrivilegeEscalation: false (it is true).`],
    );
  });
  it("passes a Windows pod without allowPrivilegeEscalation (the Standards exempt it; the API refuses the field)", () => {
    assert.deepStrictEqual(
      run(
        containersNoPrivilegeEscalation,
        [`${POD}.os`, { name: "windows" }],
        [`${C0}.securityContext.allowPrivilegeEscalation`, undefined],
      ),
      [],
    );
  });
  it("fails when allowPrivilegeEscalation is unset (Kubernetes allows it)", () => {
    assert.deepStrictEqual(
      run(containersNoPrivilegeEscalation, [`${C0}.securityContext.allowPrivilegeEscalation`, undefined]),
      [`${LABEL} must set securityContext.allowPrivilegeEscalation: false (it is unset).`],
    );
  });
});

describe("#containers-drop-all-capabilities", () => {
  it("passes drop ALL", () => assert.deepStrictEqual(run(containersDropAllCapabilities), []));
  it("passes adding back NET_BIND_SERVICE", () => {
    assert.deepStrictEqual(
      run(containersDropAllCapabilities, [`${C0}.securityContext.capabilities.add`, ["NET_BIND_SERVICE"]]),
      [],
    );
  });
  it("fails when ALL is not dropped", () => {
    assert.deepStrictEqual(
      run(containersDropAllCapabilities, [`${C0}.securityContext.capabilities.drop`, ["NET_RAW"]]),
      [`${LABEL} must drop all capabilities; set securityContext.capabilities.drop: ["ALL"].`],
    );
  });
  it("fails when there is no securityContext at all", () => {
    assert.deepStrictEqual(run(containersDropAllCapabilities, [`${C0}.securityContext`, undefined]), [
      `${LABEL} must drop all capabilities; set securityContext.capabilities.drop: ["ALL"].`,
    ]);
  });
  it("passes a Windows pod that drops nothing (restricted capabilities are Linux only)", () => {
    assert.deepStrictEqual(
      run(
        containersDropAllCapabilities,
        [`${POD}.os`, { name: "windows" }],
        [`${C0}.securityContext.capabilities`, undefined],
      ),
      [],
    );
  });
  it("holds a Windows pod to the baseline add list", () => {
    assert.deepStrictEqual(
      run(
        containersDropAllCapabilities,
        [`${POD}.os`, { name: "windows" }],
        [`${C0}.securityContext.capabilities.add`, ["CHOWN", "SYS_ADMIN"]],
      ),
      [
        `${LABEL} must not add capabilities "SYS_ADMIN"; remove them from securityContext.capabilities.add (allowed: AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT).`,
      ],
    );
  });
  it("fails when a capability outside the allowed list is added", () => {
    assert.deepStrictEqual(
      run(containersDropAllCapabilities, [`${C0}.securityContext.capabilities.add`, ["SYS_ADMIN"]]),
      [
        `${LABEL} must not add capabilities "SYS_ADMIN"; remove them from securityContext.capabilities.add (allowed: NET_BIND_SERVICE).`,
      ],
    );
  });
});

describe("#containers-read-only-root-filesystem", () => {
  it("passes readOnlyRootFilesystem: true", () => assert.deepStrictEqual(run(containersReadOnlyRootFilesystem), []));
  it("fails when readOnlyRootFilesystem is false", () => {
    assert.deepStrictEqual(
      run(containersReadOnlyRootFilesystem, [`${C0}.securityContext.readOnlyRootFilesystem`, false]),
      [
        `${LABEL} must set securityContext.readOnlyRootFilesystem: true (it is false); mount an emptyDir where the process needs to write.`,
      ],
    );
  });
  it("fails when readOnlyRootFilesystem is unset", () => {
    assert.strictEqual(
      run(containersReadOnlyRootFilesystem, [`${C0}.securityContext.readOnlyRootFilesystem`, undefined]).length,
      1,
    );
  });
});

describe("#pods-no-host-path", () => {
  it("passes emptyDir volumes", () => assert.deepStrictEqual(run(podsNoHostPath), []));
  it("fails when a hostPath volume is mounted", () => {
    assert.deepStrictEqual(
      run(podsNoHostPath, [`${POD}.volumes.1`, { name: "docker", hostPath: { path: "/var/run/docker.sock" } }]),
      [
        `${WORKLOAD} must not mount hostPath volume "docker"; use an emptyDir, a ConfigMap or a PersistentVolumeClaim instead.`,
      ],
    );
  });
});

describe("#pods-no-host-namespaces", () => {
  it("passes a pod in its own namespaces", () => assert.deepStrictEqual(run(podsNoHostNamespaces), []));
  for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
    it(`fails when ${field} is true`, () => {
      assert.deepStrictEqual(run(podsNoHostNamespaces, [`${POD}.${field}`, true]), [
        `${WORKLOAD} must not use the host's namespace; remove spec.template.spec.${field} or set it to false.`,
      ]);
    });
  }
});

describe("#pods-no-root-groups", () => {
  it("passes non-zero groups", () =>
    assert.deepStrictEqual(
      run(podsNoRootGroups, [`${POD}.securityContext.runAsGroup`, 10001], [`${POD}.securityContext.fsGroup`, 10001]),
      [],
    ));
  for (const field of ["runAsGroup", "fsGroup"]) {
    it(`fails when the pod's ${field} is 0`, () => {
      assert.deepStrictEqual(run(podsNoRootGroups, [`${POD}.securityContext.${field}`, 0]), [
        `${WORKLOAD} must not set spec.template.spec.securityContext.${field}: 0 (root group); use a non-zero GID such as 10001.`,
      ]);
    });
  }
  it("fails when supplementalGroups lists 0", () => {
    assert.deepStrictEqual(run(podsNoRootGroups, [`${POD}.securityContext.supplementalGroups`, [10001, 0]]), [
      `${WORKLOAD} must not list GID 0 (root group) in spec.template.spec.securityContext.supplementalGroups; remove it.`,
    ]);
  });
  it("fails when a container's runAsGroup is 0", () => {
    assert.deepStrictEqual(run(podsNoRootGroups, [`${C0}.securityContext.runAsGroup`, 0]), [
      `${LABEL} must not set securityContext.runAsGroup: 0 (root group); use a non-zero GID such as 10001.`,
    ]);
  });
});
