import { Construct } from 'constructs';
import { Fn, Token } from 'cdktf';
import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { EmrStudio } from '@cdktf/provider-aws/lib/emr-studio';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SecurityGroupRule } from '@cdktf/provider-aws/lib/security-group-rule';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Actions, allow, grant, serviceRole, unscopable, sourceGuard } from '../iam';
import { type ArnScope, arnOf } from '../naming';
import type { SecureBucket } from './secure-bucket';

export interface StudioProps {
  readonly studioName: string;
  readonly arnScope: ArnScope;
  readonly bucket: SecureBucket;
  /** Default: 10.20.0.0/16. */
  readonly vpcCidr?: string;
}

/**
 * EMR Studio in its own VPC with two private subnets and NO NAT gateway: the seed's NAT
 * gateway cost about $32 a month while idle. S3 is reached through a free gateway endpoint.
 */
export class Studio extends Construct {
  readonly studio: EmrStudio;

  constructor(scope: Construct, id: string, props: StudioProps) {
    super(scope, id);
    const cidr = props.vpcCidr ?? '10.20.0.0/16';
    const vpc = new Vpc(this, 'vpc', {
      cidrBlock: cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: props.studioName },
    });
    // The default security group allows all traffic between members; nothing may use it.
    new DefaultSecurityGroup(this, 'default-sg', { vpcId: vpc.id });

    // Pinned to the two zones the subnets use: a zone AWS adds later cannot reorder them.
    const zones = new DataAwsAvailabilityZones(this, 'zones', {
      state: 'available',
      filter: [{ name: 'zone-name', values: [`${props.arnScope.region}a`, `${props.arnScope.region}b`] }],
    });
    const routeTable = new RouteTable(this, 'private-routes', {
      vpcId: vpc.id,
      tags: { Name: `${props.studioName}-private` },
    });
    const subnets = [0, 1].map((i) => {
      const subnet = new Subnet(this, `private-${i}`, {
        vpcId: vpc.id,
        cidrBlock: Fn.cidrsubnet(cidr, 4, i),
        availabilityZone: Token.asString(Fn.element(zones.names, i)),
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.studioName}-private-${i}` },
      });
      new RouteTableAssociation(this, `private-${i}-routes`, { subnetId: subnet.id, routeTableId: routeTable.id });
      return subnet;
    });
    new VpcEndpoint(this, 's3-endpoint', {
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${props.arnScope.region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds: [routeTable.id],
    });

    const engine = new SecurityGroup(this, 'engine-sg', {
      name: `${props.studioName}-engine`,
      description: 'EMR Studio engine: accepts the workspace on 18888 only',
      vpcId: vpc.id,
    });
    const workspace = new SecurityGroup(this, 'workspace-sg', {
      name: `${props.studioName}-workspace`,
      description: 'EMR Studio workspace: reaches the engine on 18888 and HTTPS',
      vpcId: vpc.id,
    });
    new SecurityGroupRule(this, 'engine-from-workspace', {
      type: 'ingress',
      protocol: 'tcp',
      fromPort: 18888,
      toPort: 18888,
      securityGroupId: engine.id,
      sourceSecurityGroupId: workspace.id,
      description: 'Workspace to engine',
    });
    new SecurityGroupRule(this, 'workspace-to-engine', {
      type: 'egress',
      protocol: 'tcp',
      fromPort: 18888,
      toPort: 18888,
      securityGroupId: workspace.id,
      sourceSecurityGroupId: engine.id,
      description: 'Workspace to engine',
    });
    new SecurityGroupRule(this, 'workspace-https', {
      type: 'egress',
      protocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      securityGroupId: workspace.id,
      cidrBlocks: [cidr],
      description: 'HTTPS to endpoints inside the VPC',
    });

    const role = serviceRole(this, 'role', {
      name: `${props.studioName}-role`,
      service: 'elasticmapreduce.amazonaws.com',
      description: `Service role of ${props.studioName}`,
      // The EMR Studio management guide's trust policy for the Studio service role.
      condition: sourceGuard(props.arnScope.account, arnOf(props.arnScope, 'elasticmapreduce', '*')),
    });
    const bucket = props.bucket.bucket;
    grant(this, 'policy', role, [
      allow(Actions.s3List, bucket.arn),
      allow([...Actions.s3Read, ...Actions.s3Write], `${bucket.arn}/*`),
      unscopable('ec2Describe'),
      allow(Actions.studioNetworkInterfaces, [
        arnOf(props.arnScope, 'ec2', 'network-interface/*'),
        ...subnets.map((s) => s.arn),
        engine.arn,
        workspace.arn,
      ]),
      allow(Actions.studioSecurityGroupRules, [engine.arn, workspace.arn]),
    ]);

    this.studio = new EmrStudio(this, 'studio', {
      name: props.studioName,
      authMode: 'IAM',
      defaultS3Location: `s3://${bucket.bucket}/studio/`,
      engineSecurityGroupId: engine.id,
      workspaceSecurityGroupId: workspace.id,
      serviceRole: role.arn,
      vpcId: vpc.id,
      subnetIds: subnets.map((s) => s.id),
    });
  }
}
