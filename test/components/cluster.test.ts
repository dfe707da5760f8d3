// The AWS foundation components: the network and the EKS cluster.
import { strict as assert } from "assert";
import { aws, build, failure } from "./fixtures";

describe("Network", () => {
  it("spans 3 AZs with public, private-app and isolated data subnets", async () => {
    const m = await build(() => new (aws().Network)("n", { natGateways: "perAz" }));
    const vpc = m.one("awsx:ec2:Vpc").inputs;
    assert.deepEqual(
      vpc.subnetSpecs.map((s: any) => [s.type, s.name, s.cidrBlocks.length]),
      [
        ["Public", "public", 3],
        ["Private", "app", 3],
        ["Isolated", "data", 3],
      ],
    );
    assert.equal(vpc.natGateways.strategy, "OnePerAz");
  });
});

describe("Cluster", () => {
  const clusterArgs = {
    clusterName: "c",
    vpcId: "vpc-1",
    privateSubnetIds: ["a"],
    publicSubnetIds: ["b"],
    kubernetesVersion: "1.31",
    nodeGroup: { instanceType: "m5.large", minSize: 3, maxSize: 20, desiredSize: 3 },
    apiAllowedCidrs: ["198.51.100.0/24"],
  };
  it("encrypts secrets with its KMS key, enables OIDC and all control-plane logs, restricts the API endpoint", async () => {
    const m = await build(() => new (aws().Cluster)("c", clusterArgs));
    const eks = m.one("eks:index:Cluster").inputs;
    assert.equal(eks.encryptionConfigKeyArn, m.one("aws:kms/key:Key").state.arn);
    assert.equal(eks.createOidcProvider, true);
    assert.deepEqual(eks.enabledClusterLogTypes, ["api", "audit", "authenticator", "controllerManager", "scheduler"]);
    assert.deepEqual(eks.publicAccessCidrs, ["198.51.100.0/24"]);
    assert.equal(eks.endpointPrivateAccess, true);
  });
  it("keeps the API endpoint private when no CIDR is allowed", async () => {
    const m = await build(() => new (aws().Cluster)("c", { ...clusterArgs, apiAllowedCidrs: [] }));
    assert.equal(m.one("eks:index:Cluster").inputs.endpointPublicAccess, false);
  });
  it("encrypts node volumes and requires IMDSv2", async () => {
    const m = await build(() => new (aws().Cluster)("c", clusterArgs));
    const lt = m.one("aws:ec2/launchTemplate:LaunchTemplate").inputs;
    assert.equal(lt.blockDeviceMappings[0].ebs.encrypted, "true");
    assert.equal(lt.metadataOptions.httpTokens, "required");
  });
  it("refuses a desired size outside the node group range", () => {
    const e = failure(
      () => new (aws().Cluster)("c", { ...clusterArgs, nodeGroup: { ...clusterArgs.nodeGroup, desiredSize: 30 } }),
    );
    assert.match(e.message, /nodeGroup.desiredSize 30 is outside 3\.\.20; set it within the range/);
  });
});
