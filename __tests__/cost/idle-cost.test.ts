import { idleCost, seedIdleCost } from '../../cost/idle-cost';
import { PRICES } from '../../cost/prices';
import { synth } from '../support/synth';

it('prices the default stack at $0 while idle', () => {
  const cost = idleCost(synth());
  expect(cost.totalUsd).toBe(0);
  expect(cost.items.every((i) => i.freeTier)).toBe(true);
});

it('prices pre-initialized EMR capacity when it is configured', () => {
  const cost = idleCost(synth({ emr: { preInitializedWorkers: 2 } }));
  // 1 driver + 2 executors of 2 vCPU / 8 GB on ARM64.
  const hourly = 3 * (2 * PRICES.emrArm.vcpuHour + 8 * PRICES.emrArm.gbHour);
  expect(cost.totalUsd).toBeCloseTo(hourly * 730, 1);
});

it('prices a NAT gateway, its address and interface endpoints', () => {
  const cost = idleCost({
    resource: {
      aws_nat_gateway: { nat: {} },
      aws_eip: { ip: {} },
      aws_vpc_endpoint: {
        s3: { vpc_endpoint_type: 'Gateway' },
        sts: { vpc_endpoint_type: 'Interface', subnet_ids: ['a', 'b'] },
      },
    },
  });
  expect(cost.items.map((i) => i.what)).toEqual(['NAT gateway', 'public IPv4 address', 'interface endpoint in 2 AZ']);
  expect(cost.totalUsd).toBeCloseTo(32.85 + 3.65 + 14.6, 2);
});

it('counts alarms beyond the free tier', () => {
  const alarms = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`a${i}`, {}]));
  const cost = idleCost({ resource: { aws_cloudwatch_metric_alarm: alarms } });
  expect(cost.totalUsd).toBeCloseTo(1.2, 2);
});

it('prices the seed design at about $32 of NAT plus its warm workers', () => {
  const seed = seedIdleCost();
  expect(seed.natUsd).toBeCloseTo(32.85, 2);
  expect(seed.warmWorkersUsd).toBeCloseTo(10 * (4 * 0.052624 + 20 * 0.0057785) * 730, 1);
});
