import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { GlueCatalogDatabase } from '@cdktf/provider-aws/lib/glue-catalog-database';
import { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import { CLICK_FIELDS } from '../../core/click-schema';
import { PARTITION_KEY, RAW_PREFIX } from '../../core/contracts';

export interface ClickCatalogProps {
  readonly databaseName: string;
  readonly tableName: string;
  /** Bucket that Firehose delivers the Parquet files to. */
  readonly rawBucketName: string;
  /** The first event date that catalog readers (Athena) see, YYYY-MM-DD; the range ends today. */
  readonly firstEventDate: string;
}

/**
 * Where the clicks of an event date are, as a partition-projection location template:
 * `s3://<raw>/clicklog/data=${data}/`, the path Firehose's prefix and the local sink write.
 * `variable` renders the `${data}` placeholder (the stack escapes it from Terraform).
 */
export function partitionLocationTemplate(
  rawBucketName: string,
  variable: (placeholder: string) => string = (placeholder) => placeholder,
): string {
  return `s3://${rawBucketName}/${RAW_PREFIX}/${PARTITION_KEY.name}=${variable(`\${${PARTITION_KEY.name}}`)}/`;
}

/**
 * The Glue database and the click table. Firehose converts JSON to Parquet with this
 * table's schema, so its columns come from the shared click schema. Partition projection
 * computes the daily partitions from the dates, so catalog readers see every day without a
 * crawler or MSCK REPAIR (the report job reads paths and needs neither).
 */
export class ClickCatalog extends Construct {
  readonly database: GlueCatalogDatabase;
  readonly table: GlueCatalogTable;

  constructor(scope: Construct, id: string, props: ClickCatalogProps) {
    super(scope, id);
    const key = PARTITION_KEY.name;
    this.database = new GlueCatalogDatabase(this, 'database', {
      name: props.databaseName,
      description: 'clicklogger click-stream data',
    });
    this.table = new GlueCatalogTable(this, 'clicks', {
      name: props.tableName,
      databaseName: this.database.name,
      description: 'Click events as Parquet, partitioned by event date',
      tableType: 'EXTERNAL_TABLE',
      parameters: {
        classification: 'parquet',
        EXTERNAL: 'TRUE',
        'parquet.compression': 'SNAPPY',
        'projection.enabled': 'true',
        [`projection.${key}.type`]: 'date',
        [`projection.${key}.format`]: 'yyyy-MM-dd',
        [`projection.${key}.range`]: `${props.firstEventDate},NOW`,
        [`projection.${key}.interval`]: '1',
        [`projection.${key}.interval.unit`]: 'DAYS',
        // A literal ${data} for Athena, not a Terraform interpolation.
        'storage.location.template': partitionLocationTemplate(props.rawBucketName, (placeholder) =>
          Fn.rawString(placeholder),
        ),
      },
      partitionKeys: [{ name: PARTITION_KEY.name, type: 'string', comment: PARTITION_KEY.comment }],
      storageDescriptor: {
        location: `s3://${props.rawBucketName}/${RAW_PREFIX}/`,
        inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
        outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
        serDeInfo: {
          name: 'parquet',
          serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
          parameters: { 'serialization.format': '1' },
        },
        columns: CLICK_FIELDS.map((field) => ({ name: field.name, type: 'string', comment: field.comment })),
      },
    });
  }
}
