// What a killed update left as pending creates, read from its state: which Kubernetes objects to delete.
import { strict as assert } from "assert";
import { pendingCreates } from "../../../automation/engine/engine";
import { kubeObjectOf } from "../../../automation/engine/orphans";

describe("#pending-creates", () => {
  it("names the Kubernetes object of each pending create, with its API version and namespace", () => {
    const deployment = {
      pending_operations: [
        {
          type: "creating",
          resource: {
            urn: "urn:a",
            type: "kubernetes:apps/v1:Deployment",
            inputs: { metadata: { name: "api-gateway-canary", namespace: "slipway-dev" } },
          },
        },
        {
          type: "creating",
          resource: {
            urn: "urn:b",
            type: "kubernetes:core/v1:Namespace",
            inputs: { metadata: { name: "slipway-dev" } },
          },
        },
        { type: "creating", resource: { urn: "urn:c", type: "aws:s3/bucket:Bucket", inputs: { bucket: "x" } } },
        {
          type: "updating",
          resource: {
            urn: "urn:d",
            type: "kubernetes:apps/v1:Deployment",
            inputs: { metadata: { name: "api-gateway-stable" } },
          },
        },
      ],
    };
    assert.deepEqual(pendingCreates(deployment), [
      {
        urn: "urn:a",
        object: { apiVersion: "apps/v1", kind: "Deployment", name: "api-gateway-canary", namespace: "slipway-dev" },
      },
      { urn: "urn:b", object: { apiVersion: "v1", kind: "Namespace", name: "slipway-dev", namespace: undefined } },
      { urn: "urn:c", object: undefined },
    ]);
  });

  it("finds nothing pending in a clean state", () => {
    assert.deepEqual(pendingCreates({ resources: [] }), []);
    assert.deepEqual(pendingCreates(undefined), []);
  });

  it("takes a group-qualified type (split.smi-spec.io) and leaves a nameless object out", () => {
    assert.deepEqual(
      kubeObjectOf("kubernetes:split.smi-spec.io/v1alpha4:TrafficSplit", {
        metadata: { name: "api-gateway", namespace: "n" },
      }),
      { apiVersion: "split.smi-spec.io/v1alpha4", kind: "TrafficSplit", name: "api-gateway", namespace: "n" },
    );
    assert.equal(kubeObjectOf("kubernetes:apps/v1:Deployment", { metadata: {} }), undefined);
  });
});
