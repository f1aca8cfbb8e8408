/**
 * The fixed monthly cost of a synthesized stack: what is billed while no click arrives and
 * no report runs. Everything else in the stack (S3, Lambda, Firehose, Step Functions, Glue,
 * EMR Serverless jobs) is billed by use.
 * Prices come from prices.ts.
 */
import { plural } from '../core/plural';
import { FREE_TIER, HOURS_PER_MONTH, PRICES } from './prices';
import { resourcesOf, type TerraformJson } from '../stacks/terraform-json';

interface CostItem {
  readonly resource: string;
  readonly what: string;
  readonly monthlyUsd: number;
  /** Covered by the CloudWatch free tier for an account that has no other alarms or dashboards. */
  readonly freeTier?: boolean;
}

export interface IdleCost {
  readonly items: CostItem[];
  /** Idle cost, counting the free tier. */
  readonly totalUsd: number;
  /** Idle cost for an account whose free tier is already used. */
  readonly totalWithoutFreeTierUsd: number;
}

const perMonth = (hourly: number) => hourly * HOURS_PER_MONTH;
const number = (value: string) => Number.parseFloat(value);

/** Monthly cost of EMR Serverless workers kept warm (billed whenever the application is started). */
function warmWorkersMonthly(workers: number, vcpu: number, gb: number, architecture: 'ARM64' | 'X86_64'): number {
  const price = architecture === 'ARM64' ? PRICES.emrArm : PRICES.emrX86;
  return perMonth(workers * (vcpu * price.vcpuHour + gb * price.gbHour));
}

interface InterfaceEndpoint {
  readonly vpc_endpoint_type?: string;
  readonly subnet_ids?: readonly string[];
}

interface ServerlessApplication {
  readonly architecture?: string;
  readonly initial_capacity?: readonly {
    readonly initial_capacity_type: string;
    readonly initial_capacity_config: {
      readonly worker_count: number | string;
      readonly worker_configuration: { readonly cpu: string; readonly memory: string };
    };
  }[];
}

export function idleCost(stack: TerraformJson): IdleCost {
  const resources = <T = unknown>(type: string) => resourcesOf<T>(stack, type);
  const items: CostItem[] = [];

  for (const [id] of resources('aws_nat_gateway')) {
    items.push({ resource: `aws_nat_gateway.${id}`, what: 'NAT gateway', monthlyUsd: perMonth(PRICES.natGatewayHour) });
  }
  for (const [id] of resources('aws_eip')) {
    items.push({ resource: `aws_eip.${id}`, what: 'public IPv4 address', monthlyUsd: perMonth(PRICES.publicIpv4Hour) });
  }
  for (const [id, endpoint] of resources<InterfaceEndpoint>('aws_vpc_endpoint')) {
    if (endpoint.vpc_endpoint_type !== 'Interface') continue;
    const zones = Math.max(1, (endpoint.subnet_ids ?? []).length);
    items.push({
      resource: `aws_vpc_endpoint.${id}`,
      what: `interface endpoint in ${zones} AZ`,
      monthlyUsd: perMonth(zones * PRICES.interfaceEndpointHourPerAz),
    });
  }
  for (const [id] of resources('aws_kms_key')) {
    items.push({ resource: `aws_kms_key.${id}`, what: 'KMS key', monthlyUsd: PRICES.kmsKeyMonth });
  }
  for (const [id, app] of resources<ServerlessApplication>('aws_emrserverless_application')) {
    for (const capacity of app.initial_capacity ?? []) {
      const config = capacity.initial_capacity_config;
      const workers = Number(config.worker_count);
      const cpu = number(config.worker_configuration.cpu);
      const memory = number(config.worker_configuration.memory);
      items.push({
        resource: `aws_emrserverless_application.${id}`,
        what: `${workers} pre-initialized ${capacity.initial_capacity_type} worker(s) of ${cpu} vCPU / ${memory} GB, while started`,
        monthlyUsd: warmWorkersMonthly(workers, cpu, memory, app.architecture === 'ARM64' ? 'ARM64' : 'X86_64'),
      });
    }
  }
  const alarms = resources('aws_cloudwatch_metric_alarm').length;
  if (alarms > 0) {
    items.push({
      resource: 'aws_cloudwatch_metric_alarm',
      what: plural(alarms, 'alarm'),
      monthlyUsd: alarms * PRICES.alarmMonth,
      freeTier: alarms <= FREE_TIER.alarms,
    });
  }
  const dashboards = resources('aws_cloudwatch_dashboard').length;
  if (dashboards > 0) {
    items.push({
      resource: 'aws_cloudwatch_dashboard',
      what: plural(dashboards, 'dashboard'),
      monthlyUsd: dashboards * PRICES.dashboardMonth,
      freeTier: dashboards <= FREE_TIER.dashboards,
    });
  }

  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    items,
    totalUsd: round(items.filter((i) => !i.freeTier).reduce((sum, i) => sum + i.monthlyUsd, 0)),
    totalWithoutFreeTierUsd: round(items.reduce((sum, i) => sum + i.monthlyUsd, 0)),
  };
}

/** The seed's idle design, priced the same way: one NAT gateway, and 5 + 5 warm 4 vCPU / 20 GB x86 workers. */
export function seedIdleCost(): { natUsd: number; warmWorkersUsd: number } {
  return { natUsd: perMonth(PRICES.natGatewayHour), warmWorkersUsd: warmWorkersMonthly(10, 4, 20, 'X86_64') };
}
