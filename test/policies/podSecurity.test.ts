import * as assert from "assert";
import {
  containersDefaultProcMount,
  podsAppArmorProfile,
  podsSeccompConfined,
  podsSeLinuxOptions,
} from "../../policies/podSecurity";
import { container } from "./fixtures";
import { withProp } from "./helpers";
import { C0, LABEL, POD, run, WORKLOAD } from "./podSecurityRun";

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
