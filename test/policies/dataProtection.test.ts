import * as assert from "assert";
import { pdbForMultiReplicaDeployments, selects } from "../../policies/availability";
import { rdsBackupRetention, rdsDeletionProtection, rdsNotPubliclyAccessible } from "../../policies/dataProtection";
import { auroraCluster, deployment, hpa, pdb, podLabels, rdsInstance, T } from "./fixtures";
import { urn, validateResource, validateStack, withProp } from "./helpers";

const DB = 'RDS instance "orders-db"';
const db = (props: object, config = {}, policy = rdsBackupRetention, type: string = T.rdsInstance) =>
  validateResource(policy, { type, name: "orders-db", props }, config);

describe("#rds-not-publicly-accessible", () => {
  it("passes a private instance", () => assert.deepStrictEqual(db(rdsInstance(), {}, rdsNotPubliclyAccessible), []));
  it("fails when the instance is publicly accessible", () => {
    assert.deepStrictEqual(db(withProp(rdsInstance(), "publiclyAccessible", true), {}, rdsNotPubliclyAccessible), [
      `${DB} must not be publicly accessible; set publiclyAccessible: false and reach it from the cluster's private subnets.`,
    ]);
  });
  it("fails when an Aurora cluster instance is publicly accessible", () => {
    assert.strictEqual(db({ publiclyAccessible: true }, {}, rdsNotPubliclyAccessible, T.rdsClusterInstance).length, 1);
  });
});

describe("#rds-backup-retention", () => {
  it("passes 30 days against a 30-day minimum", () =>
    assert.deepStrictEqual(db(rdsInstance(), { minimumDays: 30 }), []));
  it("fails when retention is below the stack's minimum", () => {
    assert.deepStrictEqual(db(withProp(rdsInstance(), "backupRetentionPeriod", 7), { minimumDays: 30 }), [
      `${DB} must set backupRetentionPeriod to at least 30 days on this stack (it is 7); raise it or lower minimumDays in this stack's policy config.`,
    ]);
  });
  it("fails when retention is unset, against the default minimum of 7", () => {
    assert.deepStrictEqual(db(withProp(rdsInstance(), "backupRetentionPeriod", undefined)), [
      `${DB} must set backupRetentionPeriod to at least 7 days on this stack (it is unset); raise it or lower minimumDays in this stack's policy config.`,
    ]);
  });
  it("exempts read replicas", () => assert.deepStrictEqual(db({ replicateSourceDb: "orders" }), []));
  it("fails when an Aurora cluster keeps too few days", () => {
    assert.deepStrictEqual(
      db(withProp(auroraCluster(), "backupRetentionPeriod", 1), {}, rdsBackupRetention, T.rdsCluster),
      [
        'Aurora cluster "orders-db" must set backupRetentionPeriod to at least 7 days on this stack (it is 1); raise it or lower minimumDays in this stack\'s policy config.',
      ],
    );
  });
});

describe("#rds-deletion-protection", () => {
  it("passes deletion protection on", () => assert.deepStrictEqual(db(rdsInstance(), {}, rdsDeletionProtection), []));
  it("fails when deletion protection is off", () => {
    assert.deepStrictEqual(db(withProp(rdsInstance(), "deletionProtection", false), {}, rdsDeletionProtection), [
      `${DB} must set deletionProtection: true (it is false); turn it off in a reviewed change before a planned teardown.`,
    ]);
  });
  it("exempts read replicas", () =>
    assert.deepStrictEqual(db({ replicateSourceDb: "orders" }, {}, rdsDeletionProtection), []));
  it("fails when an Aurora cluster has no deletion protection", () => {
    assert.strictEqual(
      db(withProp(auroraCluster(), "deletionProtection", undefined), {}, rdsDeletionProtection, T.rdsCluster).length,
      1,
    );
  });
});

describe("#pdb-for-multi-replica-deployments", () => {
  const d = (replicas?: number) => ({
    type: T.deployment,
    name: "d",
    props: deployment("api-gateway-stable", replicas),
  });
  const budget = (selector?: Record<string, unknown>) => ({ type: T.pdb, name: "pdb", props: pdb(selector) });
  const MESSAGE =
    'Deployment "api-gateway-stable" must be covered by a PodDisruptionBudget: it runs 3 replicas and no PodDisruptionBudget in namespace "slipway" selects its pods; add one whose selector matches the pod labels (e.g. maxUnavailable: 1).';

  it("passes a 3-replica Deployment with a matching budget", () => {
    assert.deepStrictEqual(validateStack(pdbForMultiReplicaDeployments, [d(3), budget()]), []);
  });
  it("passes a single-replica Deployment without a budget", () => {
    assert.deepStrictEqual(validateStack(pdbForMultiReplicaDeployments, [d(1)]), []);
  });
  it("fails when a 3-replica Deployment has no budget", () => {
    assert.deepStrictEqual(validateStack(pdbForMultiReplicaDeployments, [d(3)]), [
      { message: MESSAGE, urn: urn(T.deployment, "d") },
    ]);
  });
  it("fails when the budget selects other pods", () => {
    assert.deepStrictEqual(
      validateStack(pdbForMultiReplicaDeployments, [
        d(3),
        budget({ matchLabels: { "app.kubernetes.io/name": "audit-service" } }),
      ]).map((v) => v.message),
      [MESSAGE],
    );
  });
  it("fails when the budget is in another namespace", () => {
    const elsewhere = { type: T.pdb, name: "pdb", props: withProp(pdb(), "metadata.namespace", "default") };
    assert.deepStrictEqual(
      validateStack(pdbForMultiReplicaDeployments, [d(3), elsewhere]).map((v) => v.message),
      [MESSAGE],
    );
  });
  it("counts the autoscaler's minimum when replicas are left to it", () => {
    const auto = { type: T.hpa, name: "hpa", props: hpa(3, 10) };
    assert.deepStrictEqual(
      validateStack(pdbForMultiReplicaDeployments, [d(undefined), auto]).map((v) => v.message),
      [MESSAGE],
    );
  });

  it("evaluates label selectors with expressions", () => {
    const labels = podLabels();
    assert.strictEqual(
      selects(
        { matchExpressions: [{ key: "slipway.dev/track", operator: "In", values: ["stable", "canary"] }] },
        labels,
      ),
      true,
    );
    assert.strictEqual(
      selects({ matchExpressions: [{ key: "slipway.dev/track", operator: "NotIn", values: ["stable"] }] }, labels),
      false,
    );
    assert.strictEqual(selects({ matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }, labels), true);
    assert.strictEqual(
      selects(
        {
          matchLabels: { "app.kubernetes.io/name": "api-gateway" },
          matchExpressions: [{ key: "tier", operator: "Exists" }],
        },
        labels,
      ),
      false,
    );
  });
});
