/** The raw table is visible to catalog readers (Athena) through partition projection. */
import { partitionPrefix, PARTITION_KEY } from '../../core/contracts';
import { renderPrefix } from '../../local/firehose/partitioning';
import { partitionLocationTemplate } from '../../stacks/constructs/catalog';
import { DELIVERY } from '../../stacks/constructs/delivery-settings';
import { loadConfig } from '../../stacks/config';
import { only, synth } from '../support/synth';

const table = only(synth(), 'aws_glue_catalog_table');
const key = PARTITION_KEY.name;

it('projects one partition per day on the event date, from the first event date to today', () => {
  expect(table.parameters).toMatchObject({
    'projection.enabled': 'true',
    [`projection.${key}.type`]: 'date',
    [`projection.${key}.format`]: 'yyyy-MM-dd',
    [`projection.${key}.range`]: '2020-01-01,NOW',
    [`projection.${key}.interval`]: '1',
    [`projection.${key}.interval.unit`]: 'DAYS',
  });
  expect(table.partition_keys).toEqual([expect.objectContaining({ name: key, type: 'string' })]);
});

it('hands Athena a literal ${data} placeholder in the raw bucket, which Terraform must not interpolate', () => {
  expect(table.parameters['storage.location.template']).toMatch(
    new RegExp(`^s3://\\$\\{aws_s3_bucket\\.raw_[\\w-]+\\.bucket\\}/clicklog/${key}=\\$\\$\\{${key}\\}/$`),
  );
});

it.each(['2023-02-08', '1999-12-31'])(
  'locates %s where Firehose writes it and where the local sink writes it',
  (date) => {
    const located = partitionLocationTemplate('raw-bucket').replace(`\${${key}}`, date);
    const firehose = renderPrefix(DELIVERY.prefix, { partition: { [key]: date }, at: new Date() });
    expect(located).toBe(`s3://raw-bucket/${firehose}`);
    expect(located).toBe(`s3://raw-bucket/${partitionPrefix(date)}`);
  },
);

it('refuses a first event date that is not a date', () => {
  expect(() => loadConfig({ firstEventDate: 'yesterday' }, {})).toThrow(/firstEventDate: a date written YYYY-MM-DD/);
});
