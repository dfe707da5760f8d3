import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";

export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];
const NODE_POLICIES = [
  "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
  "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
  "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
];

export interface ClusterArgs {
  /** EKS cluster name (explicit, so the driver and kubeconfig name it predictably). */
  clusterName: string;
  /** VPC the cluster and its nodes run in. */
  vpcId: pulumi.Input<string>;
  /** Subnets for nodes and the private API endpoint. */
  privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Subnets for public load balancers. */
  publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Kubernetes minor version, e.g. "1.31". */
  kubernetesVersion: string;
  /** Managed node group size and type; sizes are node counts. */
  nodeGroup: { instanceType: string; minSize: number; maxSize: number; desiredSize: number };
  /** CIDRs that may reach the public API endpoint; empty keeps the endpoint private. */
  apiAllowedCidrs: string[];
  /** Root volume size of each node in GiB; default 50. */
  nodeVolumeGb?: number;
  /** Tags of every AWS resource; default none. */
  tags?: Record<string, string>;
}

export function validateClusterArgs(args: ClusterArgs): string | undefined {
  const ng = args.nodeGroup;
  if (ng.minSize > ng.maxSize)
    return `nodeGroup.minSize ${ng.minSize} exceeds maxSize ${ng.maxSize}; lower minSize or raise maxSize`;
  if (ng.desiredSize < ng.minSize || ng.desiredSize > ng.maxSize) {
    return `nodeGroup.desiredSize ${ng.desiredSize} is outside ${ng.minSize}..${ng.maxSize}; set it within the range`;
  }
  return undefined;
}

/** EKS with KMS-encrypted secrets, OIDC for service-account roles, full control-plane logging, managed nodes. */
export class Cluster extends pulumi.ComponentResource {
  public readonly clusterName: pulumi.Output<string>;
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly provider: k8s.Provider;
  public readonly secretsKeyArn: pulumi.Output<string>;
  public readonly oidcProviderArn: pulumi.Output<string>;
  /** The OIDC issuer without scheme, the prefix of the IRSA trust conditions. */
  public readonly oidcProviderUrl: pulumi.Output<string>;
  /** Security group EKS attaches to managed nodes: the only source the data tier admits. */
  public readonly nodeSecurityGroupId: pulumi.Output<string>;

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("slipway:platform:Cluster", name, {}, opts);
    const invalid = validateClusterArgs(args);
    if (invalid !== undefined) throw new pulumi.ResourceError(invalid, this);
    const parent = { parent: this };

    const key = this.secretsKey(name, args);
    const nodeRole = this.nodeRole(name, args);

    const cluster = new eks.Cluster(
      `${name}-eks`,
      {
        name: args.clusterName,
        version: args.kubernetesVersion,
        vpcId: args.vpcId,
        privateSubnetIds: args.privateSubnetIds,
        publicSubnetIds: args.publicSubnetIds,
        skipDefaultNodeGroup: true,
        authenticationMode: "API",
        endpointPrivateAccess: true,
        endpointPublicAccess: args.apiAllowedCidrs.length > 0,
        publicAccessCidrs: args.apiAllowedCidrs.length > 0 ? args.apiAllowedCidrs : undefined,
        nodeAssociatePublicIpAddress: false,
        createOidcProvider: true,
        encryptionConfigKeyArn: key.arn,
        enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
        tags: args.tags,
      },
      parent,
    );

    this.nodes(name, args, cluster, nodeRole);

    this.clusterName = pulumi.output(args.clusterName);
    this.kubeconfig = pulumi.secret(cluster.kubeconfigJson);
    this.secretsKeyArn = key.arn;
    this.oidcProviderArn = cluster.oidcProviderArn;
    this.oidcProviderUrl = cluster.oidcProviderUrl;
    // Read through the API so the value does not depend on how the remote component serializes its children.
    this.nodeSecurityGroupId = aws.eks.getClusterOutput(
      { name: cluster.kubeconfigJson.apply(() => args.clusterName) },
      parent,
    ).vpcConfig.clusterSecurityGroupId;
    this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig }, parent);
    this.registerOutputs({
      clusterName: this.clusterName,
      kubeconfig: this.kubeconfig,
      secretsKeyArn: this.secretsKeyArn,
      oidcProviderArn: this.oidcProviderArn,
      oidcProviderUrl: this.oidcProviderUrl,
      nodeSecurityGroupId: this.nodeSecurityGroupId,
    });
  }

  /** The KMS key envelope-encrypting the cluster's Kubernetes secrets. */
  private secretsKey(name: string, args: ClusterArgs): aws.kms.Key {
    return new aws.kms.Key(
      `${name}-secrets-key`,
      {
        description: `Envelope encryption of Kubernetes secrets in ${args.clusterName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags: args.tags,
      },
      { parent: this },
    );
  }

  /** The managed nodes' role with the worker, CNI and registry read-only policies. */
  private nodeRole(name: string, args: ClusterArgs): aws.iam.Role {
    const parent = { parent: this };
    const nodeRole = new aws.iam.Role(
      `${name}-node-role`,
      {
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        tags: args.tags,
      },
      parent,
    );
    NODE_POLICIES.forEach(
      (policyArn, i) =>
        new aws.iam.RolePolicyAttachment(`${name}-node-policy-${i}`, { role: nodeRole.name, policyArn }, parent),
    );
    return nodeRole;
  }

  /** The managed node group on encrypted gp3 volumes with IMDSv2 only. */
  private nodes(name: string, args: ClusterArgs, cluster: eks.Cluster, nodeRole: aws.iam.Role): void {
    const parent = { parent: this };
    const launchTemplate = new aws.ec2.LaunchTemplate(
      `${name}-nodes`,
      {
        blockDeviceMappings: [
          {
            deviceName: "/dev/xvda",
            ebs: {
              volumeSize: args.nodeVolumeGb ?? 50,
              volumeType: "gp3",
              encrypted: "true",
              deleteOnTermination: "true",
            },
          },
        ],
        // IMDSv2 only, one hop for the node and one for pods that still need it.
        metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2, httpEndpoint: "enabled" },
        tags: args.tags,
      },
      parent,
    );

    new eks.ManagedNodeGroup(
      `${name}-nodes`,
      {
        cluster,
        nodeRole,
        instanceTypes: [args.nodeGroup.instanceType],
        subnetIds: args.privateSubnetIds,
        scalingConfig: {
          minSize: args.nodeGroup.minSize,
          maxSize: args.nodeGroup.maxSize,
          desiredSize: args.nodeGroup.desiredSize,
        },
        launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
        tags: args.tags,
      },
      parent,
    );
  }
}
