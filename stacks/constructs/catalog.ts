import { Construct } from 'constructs';
import { GlueCatalogDatabase } from '@cdktf/provider-aws/lib/glue-catalog-database';
import { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import { CLICK_FIELDS } from '../../functions/shared/click-schema';
import { PARTITION_KEY, RAW_PREFIX } from '../../functions/shared/contracts';

export interface ClickCatalogProps {
  readonly databaseName: string;
  readonly tableName: string;
  /** Bucket that Firehose delivers the Parquet files to. */
  readonly rawBucketName: string;
}

/**
 * The Glue database and the click table. Firehose converts JSON to Parquet with this
 * table's schema, so its columns come from the shared click schema.
 */
export class ClickCatalog extends Construct {
  readonly database: GlueCatalogDatabase;
  readonly table: GlueCatalogTable;

  constructor(scope: Construct, id: string, props: ClickCatalogProps) {
    super(scope, id);
    this.database = new GlueCatalogDatabase(this, 'database', {
      name: props.databaseName,
      description: 'clicklogger click-stream data',
    });
    this.table = new GlueCatalogTable(this, 'clicks', {
      name: props.tableName,
      databaseName: this.database.name,
      description: 'Click events as Parquet, partitioned by event date',
      tableType: 'EXTERNAL_TABLE',
      parameters: { classification: 'parquet', EXTERNAL: 'TRUE', 'parquet.compression': 'SNAPPY' },
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
