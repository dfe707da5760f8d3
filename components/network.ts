import * as pulumi from "@pulumi/pulumi";
import * as awsx from "@pulumi/awsx";
import { subnetLayout } from "./cidr";

export interface NetworkArgs {
  /** VPC range; default 10.0.0.0/16. */
  cidrBlock?: string;
  /** Availability zones to span; default 3. */
  availabilityZones?: number;
  /** One NAT gateway per zone (prod: no zone depends on another) or a single one; default single. */
  natGateways?: "single" | "perAz";
  /** Tags of every AWS resource; default none. */
  tags?: Record<string, string>;
}

/** VPC with public, private-app and private-data (no route to the internet) subnets in every zone. */
export class Network extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  public readonly publicSubnetIds: pulumi.Output<string[]>;
  public readonly appSubnetIds: pulumi.Output<string[]>;
  public readonly dataSubnetIds: pulumi.Output<string[]>;
  /** CIDRs of the data subnets: the only addresses the services' egress to the data ports may reach. */
  public readonly dataSubnetCidrs: string[];

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("slipway:platform:Network", name, {}, opts);
    const cidrBlock = args.cidrBlock ?? "10.0.0.0/16";
    const layout = subnetLayout(cidrBlock, args.availabilityZones ?? 3);
    this.dataSubnetCidrs = layout.data;
    const vpc = new awsx.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock,
        numberOfAvailabilityZones: args.availabilityZones ?? 3,
        enableDnsHostnames: true,
        enableDnsSupport: true,
        subnetStrategy: "Exact",
        subnetSpecs: [
          { type: "Public", name: "public", cidrBlocks: layout.public, tags: { "kubernetes.io/role/elb": "1" } },
          { type: "Private", name: "app", cidrBlocks: layout.app, tags: { "kubernetes.io/role/internal-elb": "1" } },
          { type: "Isolated", name: "data", cidrBlocks: layout.data },
        ],
        natGateways: { strategy: (args.natGateways ?? "single") === "perAz" ? "OnePerAz" : "Single" },
        tags: args.tags,
      },
      { parent: this },
    );
    this.vpcId = vpc.vpcId;
    this.publicSubnetIds = vpc.publicSubnetIds;
    this.appSubnetIds = vpc.privateSubnetIds;
    this.dataSubnetIds = vpc.isolatedSubnetIds;
    this.registerOutputs({
      vpcId: this.vpcId,
      publicSubnetIds: this.publicSubnetIds,
      appSubnetIds: this.appSubnetIds,
      dataSubnetIds: this.dataSubnetIds,
    });
  }
}
