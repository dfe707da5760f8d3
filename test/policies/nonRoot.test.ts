import * as assert from "assert";
import {
    containersDropAllCapabilities,
    containersNoPrivilegeEscalation,
    containersNotPrivileged,
    containersReadOnlyRootFilesystem,
    containersRunAsNonRoot,
    podsNoHostNamespaces,
    podsNoHostPath,
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
    return validateResource(policy, { type: T.deployment, name: "api-gateway-stable", props: props as Record<string, unknown> });
}

describe("#containers-run-as-non-root", () => {
    it("passes runAsNonRoot at both levels", () => assert.deepStrictEqual(run(containersRunAsNonRoot), []));

    it("passes runAsNonRoot set only on the pod", () => {
        assert.deepStrictEqual(run(containersRunAsNonRoot, [`${C0}.securityContext.runAsNonRoot`, undefined]), []);
    });

    it("passes runAsNonRoot set only on the container", () => {
        assert.deepStrictEqual(run(containersRunAsNonRoot, [`${POD}.securityContext.runAsNonRoot`, undefined]), []);
    });

    it("fails when runAsNonRoot is set nowhere", () => {
        assert.deepStrictEqual(run(containersRunAsNonRoot,
            [`${POD}.securityContext.runAsNonRoot`, undefined], [`${C0}.securityContext.runAsNonRoot`, undefined]), [
            `${LABEL} must run as non-root; set securityContext.runAsNonRoot: true in the container's or the pod's securityContext.`,
        ]);
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

    it("fails when the pod runs as user 0 and the container does not override it", () => {
        assert.deepStrictEqual(run(containersRunAsNonRoot, [`${C0}.securityContext.runAsUser`, undefined], [`${POD}.securityContext.runAsUser`, 0]), [
            `${LABEL} must not run as user 0 (root); set securityContext.runAsUser to a non-zero UID such as 10001.`,
        ]);
    });

    it("passes a container UID that overrides a root pod UID", () => {
        assert.deepStrictEqual(run(containersRunAsNonRoot, [`${POD}.securityContext.runAsUser`, 0]), []);
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
    it("passes privileged unset", () => assert.deepStrictEqual(run(containersNotPrivileged, [`${C0}.securityContext.privileged`, undefined]), []));
    it("fails when privileged is true", () => {
        assert.deepStrictEqual(run(containersNotPrivileged, [`${C0}.securityContext.privileged`, true]), [
            `${LABEL} must not run privileged; remove securityContext.privileged or set it to false.`,
        ]);
    });
});

describe("#containers-no-privilege-escalation", () => {
    it("passes allowPrivilegeEscalation: false", () => assert.deepStrictEqual(run(containersNoPrivilegeEscalation), []));
    it("fails when allowPrivilegeEscalation is true", () => {
        assert.deepStrictEqual(run(containersNoPrivilegeEscalation, [`${C0}.securityContext.allowPrivilegeEscalation`, true]), [
            `${LABEL} must set securityContext.allowPrivilegeEscalation: false (it is true).`,
        ]);
    });
    it("fails when allowPrivilegeEscalation is unset (Kubernetes allows it)", () => {
        assert.deepStrictEqual(run(containersNoPrivilegeEscalation, [`${C0}.securityContext.allowPrivilegeEscalation`, undefined]), [
            `${LABEL} must set securityContext.allowPrivilegeEscalation: false (it is unset).`,
        ]);
    });
});

describe("#containers-drop-all-capabilities", () => {
    it("passes drop ALL", () => assert.deepStrictEqual(run(containersDropAllCapabilities), []));
    it("passes adding back NET_BIND_SERVICE", () => {
        assert.deepStrictEqual(run(containersDropAllCapabilities, [`${C0}.securityContext.capabilities.add`, ["NET_BIND_SERVICE"]]), []);
    });
    it("fails when ALL is not dropped", () => {
        assert.deepStrictEqual(run(containersDropAllCapabilities, [`${C0}.securityContext.capabilities.drop`, ["NET_RAW"]]), [
            `${LABEL} must drop all capabilities; set securityContext.capabilities.drop: ["ALL"].`,
        ]);
    });
    it("fails when there is no securityContext at all", () => {
        assert.deepStrictEqual(run(containersDropAllCapabilities, [`${C0}.securityContext`, undefined]), [
            `${LABEL} must drop all capabilities; set securityContext.capabilities.drop: ["ALL"].`,
        ]);
    });
    it("fails when a capability outside the allowed list is added", () => {
        assert.deepStrictEqual(run(containersDropAllCapabilities, [`${C0}.securityContext.capabilities.add`, ["SYS_ADMIN"]]), [
            `${LABEL} must not add capabilities "SYS_ADMIN"; remove them from securityContext.capabilities.add (allowed: NET_BIND_SERVICE).`,
        ]);
    });
});

describe("#containers-read-only-root-filesystem", () => {
    it("passes readOnlyRootFilesystem: true", () => assert.deepStrictEqual(run(containersReadOnlyRootFilesystem), []));
    it("fails when readOnlyRootFilesystem is false", () => {
        assert.deepStrictEqual(run(containersReadOnlyRootFilesystem, [`${C0}.securityContext.readOnlyRootFilesystem`, false]), [
            `${LABEL} must set securityContext.readOnlyRootFilesystem: true (it is false); mount an emptyDir where the process needs to write.`,
        ]);
    });
    it("fails when readOnlyRootFilesystem is unset", () => {
        assert.strictEqual(run(containersReadOnlyRootFilesystem, [`${C0}.securityContext.readOnlyRootFilesystem`, undefined]).length, 1);
    });
});

describe("#pods-no-host-path", () => {
    it("passes emptyDir volumes", () => assert.deepStrictEqual(run(podsNoHostPath), []));
    it("fails when a hostPath volume is mounted", () => {
        assert.deepStrictEqual(run(podsNoHostPath, [`${POD}.volumes.1`, { name: "docker", hostPath: { path: "/var/run/docker.sock" } }]), [
            `${WORKLOAD} must not mount hostPath volume "docker"; use an emptyDir, a ConfigMap or a PersistentVolumeClaim instead.`,
        ]);
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
