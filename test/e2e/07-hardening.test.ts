// What the local stack built on the real cluster under the pack: isolation, identities, budgets, probes, scratch space.
import { strict as assert } from "assert";
import { kubectl, NAMESPACE, SERVICES } from "./harness";

async function items(kind: string): Promise<any[]> {
  return JSON.parse(await kubectl("-n", NAMESPACE, "get", kind, "-o", "json")).items;
}

describe("the hardened local stack on the real cluster", () => {
  it("denies all traffic in its namespace by default and holds one allow policy per service plus DNS", async () => {
    const policies = await items("networkpolicies");
    const deny = policies.find((p) => p.metadata.name === "default-deny");
    assert.ok(deny, "no default-deny NetworkPolicy");
    assert.deepEqual(deny.spec.podSelector, {});
    assert.deepEqual(deny.spec.policyTypes, ["Ingress", "Egress"]);
    assert.deepEqual(
      policies.map((p) => p.metadata.name).sort(),
      ["allow-dns", "default-deny", "slipway-jobs", ...SERVICES].sort(),
    );
  });

  it("runs every service's pods under its own ServiceAccount with no API token, readiness on its own endpoint and bounded scratch space", async () => {
    const accounts = (await items("serviceaccounts")).map((a) => a.metadata.name);
    for (const s of SERVICES) {
      assert.ok(accounts.includes(s), `no ServiceAccount ${s}`);
      const pods = (await items("pods")).filter((p) => p.metadata.labels["app.kubernetes.io/name"] === s);
      assert.ok(pods.length > 0, `no pod of ${s}`);
      for (const pod of pods) {
        assert.equal(pod.spec.serviceAccountName, s);
        assert.equal(pod.spec.automountServiceAccountToken, false);
        const c = pod.spec.containers[0];
        assert.notEqual(c.readinessProbe.httpGet.path, c.livenessProbe.httpGet.path);
        assert.ok(c.resources.limits["ephemeral-storage"], `${pod.metadata.name} has no ephemeral-storage limit`);
      }
    }
  });

  it("keeps PodDisruptionBudgets out of the way of drains", async () => {
    for (const pdb of await items("poddisruptionbudgets"))
      assert.equal(pdb.spec.unhealthyPodEvictionPolicy, "AlwaysAllow", pdb.metadata.name);
  });
});
