import { DEFAULT_FUNNELS, funnelsFromSparkParameters } from '../../core/funnels';
import { sizingFromSparkParameters } from '../../core/job-sizing';
import { DEFAULT_ROWS_PER_CALLER, rowsPerCallerFromSparkParameters } from '../../core/report-listing';
import { reportStateMachine } from '../../stacks/terraform-json';
import { CLICK_FIELDS } from '../../core/click-schema';
import { PARTITION_KEY, REPORT_SQL_FILES } from '../../core/contracts';
import { JOB_STATES, START_JOB_RUN_RESOURCE, STATES } from '../../stacks/state-machine-definition';
import { STACK_OUTPUT_NAMES as OUTPUTS } from '../../core/contracts';
import { find, only, resources, synth } from '../support/synth';

const json = synth();

describe('buckets', () => {
  it.each([['firehose-delivery'], ['loggregator-source'], ['loggregator-output'], ['emr-logs']])(
    'creates %s in the seed naming scheme',
    (purpose) => {
      const bucket = find(json, 'aws_s3_bucket', 'bucket', `-${purpose}-`);
      expect(bucket.bucket).toBe(
        `us-east-1-clicklogger-dev-${purpose}-\${data.aws_caller_identity.account.account_id}`,
      );
    },
  );

  it('empties buckets on destroy for non-prod stages only', () => {
    expect(resources(json, 'aws_s3_bucket').every(([, b]) => b.force_destroy === true)).toBe(true);
    const prod = synth({}, 'prod');
    expect(resources(prod, 'aws_s3_bucket').every(([, b]) => b.force_destroy === false)).toBe(true);
  });

  it('versions the source and output buckets only', () => {
    const versioned = resources(json, 'aws_s3_bucket_versioning').map(([, v]) => v.bucket);
    expect(versioned.sort()).toEqual([
      expect.stringContaining('aws_s3_bucket.output_bucket'),
      expect.stringContaining('aws_s3_bucket.source_bucket'),
    ]);
  });

  it('expires objects in the log bucket', () => {
    const lifecycle = resources(json, 'aws_s3_bucket_lifecycle_configuration').find(([, l]) =>
      l.bucket.includes('emr-logs'),
    )![1];
    expect(lifecycle.rule).toContainEqual(
      expect.objectContaining({ id: 'expire-objects', expiration: [{ days: 30 }] }),
    );
  });

  it('uses SSE-KMS with bucket keys when a key is configured', () => {
    const key = 'arn:aws:kms:us-east-1:111122223333:key/abc';
    const withKms = synth({ kmsKeyArn: key });
    for (const [, sse] of resources(withKms, 'aws_s3_bucket_server_side_encryption_configuration')) {
      expect(sse.rule[0]).toEqual({
        apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: key },
        bucket_key_enabled: true,
      });
    }
  });
});

describe('Glue catalog', () => {
  const table = only(json, 'aws_glue_catalog_table');

  it('has one string column per click field, in schema order', () => {
    expect(table.storage_descriptor.columns).toEqual(
      CLICK_FIELDS.map((f) => ({ name: f.name, type: 'string', comment: f.comment })),
    );
  });

  it('is partitioned by the event date', () => {
    expect(table.partition_keys).toEqual([
      { name: PARTITION_KEY.name, type: 'string', comment: PARTITION_KEY.comment },
    ]);
  });

  it('describes Parquet at s3://<raw bucket>/clicklog/', () => {
    const sd = table.storage_descriptor;
    expect(sd.location).toMatch(/^s3:\/\/\$\{aws_s3_bucket\.raw_bucket_\w+\.bucket\}\/clicklog\/$/);
    expect(sd.input_format).toBe('org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat');
    expect(sd.output_format).toBe('org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat');
    expect(sd.ser_de_info.serialization_library).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
  });
});

describe('Firehose', () => {
  const stream = only(json, 'aws_kinesis_firehose_delivery_stream');
  const s3 = stream.extended_s3_configuration;

  it('converts JSON to SNAPPY Parquet through the Glue table', () => {
    expect(stream.destination).toBe('extended_s3');
    const conversion = s3.data_format_conversion_configuration;
    expect(conversion.enabled).toBe(true);
    expect(conversion.input_format_configuration.deserializer).toEqual({ open_x_json_ser_de: {} });
    expect(conversion.output_format_configuration.serializer.parquet_ser_de.compression).toBe('SNAPPY');
    expect(conversion.schema_configuration.table_name).toContain('aws_glue_catalog_table.');
    expect(s3.compression_format).toBe('UNCOMPRESSED');
  });

  it('partitions by event date with a JQ query on createdtime', () => {
    expect(s3.dynamic_partitioning_configuration.enabled).toBe(true);
    expect(s3.prefix).toBe('clicklog/data=!{partitionKeyFromQuery:data}/');
    // Packed records are split into their clicks first.
    expect(s3.processing_configuration.processors[0]).toEqual({
      type: 'RecordDeAggregation',
      parameters: [{ parameter_name: 'SubRecordType', parameter_value: 'JSON' }],
    });
    expect(s3.processing_configuration.processors[1]).toEqual({
      type: 'MetadataExtraction',
      parameters: [
        { parameter_name: 'MetadataExtractionQuery', parameter_value: '{data: .createdtime[0:10]}' },
        { parameter_name: 'JsonParsingEngine', parameter_value: 'JQ-1.6' },
      ],
    });
  });

  it('buffers at least 64 MiB, as format conversion requires', () => {
    expect(s3.buffering_size).toBeGreaterThanOrEqual(64);
  });

  it('has an error prefix, logging to a declared group and stream, and encryption', () => {
    expect(s3.error_output_prefix).toMatch(/^errors\/!\{firehose:error-output-type\}\//);
    expect(s3.cloudwatch_logging_options.enabled).toBe(true);
    expect(s3.cloudwatch_logging_options.log_group_name).toContain('aws_cloudwatch_log_group.');
    expect(s3.cloudwatch_logging_options.log_stream_name).toContain('aws_cloudwatch_log_stream.');
    expect(stream.server_side_encryption).toEqual({ enabled: true, key_type: 'AWS_OWNED_CMK' });
  });
});

describe('Lambda functions', () => {
  const functions = resources(json, 'aws_lambda_function').map(([, f]) => f);

  it('deploys ingestion, job-status and plan-dates functions', () => {
    expect(functions.map((f) => f.function_name).sort()).toEqual([
      'clicklogger-dev-ingestion-lambda',
      'clicklogger-dev-job-status-lambda',
      'clicklogger-dev-plan-dates-lambda',
    ]);
  });

  it('gives the plan its buckets and late-data window, and ingestion its clock-skew limit, from the config', () => {
    const env = (name: string) => functions.find((f) => f.function_name === name)!.environment.variables;
    expect(env('clicklogger-dev-plan-dates-lambda')).toMatchObject({
      LATE_DAYS: '3',
      RAW_BUCKET: expect.stringMatching(/^\$\{aws_s3_bucket\.raw_bucket_\w+\.bucket\}$/),
      OUTPUT_BUCKET: expect.stringMatching(/^\$\{aws_s3_bucket\.output_bucket_\w+\.bucket\}$/),
    });
    expect(env('clicklogger-dev-ingestion-lambda')).toMatchObject({ MAX_CLOCK_SKEW_SECONDS: '300' });
  });

  it('runs Node.js 22 on arm64 with active tracing and an explicit timeout and memory', () => {
    for (const f of functions) {
      expect(f.runtime).toBe('nodejs22.x');
      expect(f.architectures).toEqual(['arm64']);
      expect(f.tracing_config).toEqual({ mode: 'Active' });
      expect(f.timeout).toBeGreaterThan(0);
      expect(f.memory_size).toBeGreaterThanOrEqual(128);
    }
  });

  it('packages the esbuild bundle with a filebase64sha256 hash', () => {
    for (const f of functions) {
      expect(f.filename).toMatch(/^assets\/.+\/archive\.zip$/);
      expect(f.source_code_hash).toBe(`\${filebase64sha256("${f.filename}")}`);
    }
  });

  it('gives each function its own role and log group with retention', () => {
    expect(new Set(functions.map((f) => f.role)).size).toBe(functions.length);
    const groups = resources(json, 'aws_cloudwatch_log_group').map(([, g]) => g.name);
    for (const f of functions) expect(groups).toContain(`/aws/lambda/${f.function_name}`);
  });

  it('passes the stream name and application id through the environment', () => {
    const ingest = functions.find((f) => f.function_name.endsWith('ingestion-lambda'));
    const status = functions.find((f) => f.function_name.endsWith('job-status-lambda'));
    expect(ingest.environment.variables.DELIVERY_STREAM_NAME).toContain('aws_kinesis_firehose_delivery_stream.');
    expect(status.environment.variables.APPLICATION_ID).toContain('aws_emrserverless_application.');
  });

  it('has no VPC configuration', () => {
    expect(functions.every((f) => f.vpc_config === undefined)).toBe(true);
  });

  it('adds a Function URL with AWS_IAM auth only when switched on', () => {
    expect(resources(json, 'aws_lambda_function_url')).toHaveLength(0);
    const withUrl = synth({ collector: 'iam' });
    expect(only(withUrl, 'aws_lambda_function_url').authorization_type).toBe('AWS_IAM');
    expect(withUrl.output[OUTPUTS.functionUrl]).toBeDefined();
  });
});

describe('EMR Serverless', () => {
  const app = only(json, 'aws_emrserverless_application');

  it('runs a pinned emr-7 Spark release on ARM64', () => {
    expect(app.release_label).toMatch(/^emr-7\.\d+\.\d+$/);
    expect(app.type).toBe('SPARK');
    expect(app.architecture).toBe('ARM64');
  });

  it('starts on demand and stops after 15 idle minutes', () => {
    expect(app.auto_start_configuration).toEqual({ enabled: true });
    expect(app.auto_stop_configuration).toEqual({ enabled: true, idle_timeout_minutes: 15 });
  });

  it('caps capacity and keeps no pre-initialized workers by default', () => {
    expect(app.maximum_capacity.cpu).toBeDefined();
    expect(app.initial_capacity).toBeUndefined();
  });

  it('adds pre-initialized workers only when configured', () => {
    const warm = only(synth({ emr: { preInitializedWorkers: 2 } }), 'aws_emrserverless_application');
    expect(warm.initial_capacity).toHaveLength(2);
  });

  it('uploads the Spark script and SQL to the source bucket with a content hash', () => {
    const objects = resources(json, 'aws_s3_object').map(([, o]) => o);
    expect(objects.map((o) => o.key).sort()).toEqual([
      'spark/day_clicks.sql',
      'spark/funnels.sql',
      'spark/report.sql',
      'spark/report_erase.py',
      'spark/report_job.py',
      'spark/report_page.py',
      'spark/report_render.py',
      'spark/report_visits.py',
      'spark/visit_paths.sql',
      'spark/visits.sql',
    ]);
    for (const o of objects) {
      expect(o.bucket).toContain('aws_s3_bucket.source_bucket');
      expect(o.source_hash).toBe(`\${filemd5("${o.source}")}`);
    }
  });
});

describe('Step Functions', () => {
  const machine = reportStateMachine<any>(json);
  const definition = JSON.parse(machine.definition);

  it('is a STANDARD machine with tracing and logging without execution data', () => {
    expect(machine.type).toBe('STANDARD');
    expect(machine.tracing_configuration).toEqual({ enabled: true });
    expect(machine.logging_configuration.include_execution_data).toBe(false);
    expect(['ERROR', 'ALL']).toContain(machine.logging_configuration.level);
    expect(machine.logging_configuration.log_destination).toMatch(/^\$\{aws_cloudwatch_log_group\..+\.arn\}:\*$/);
  });

  it('submits the job with the script, date and buckets wired to the stack', () => {
    const start = definition.States[STATES.startJobRun];
    expect(start.Resource).toBe(START_JOB_RUN_RESOURCE);
    expect(start.Parameters.ApplicationId).toMatch(
      /^\$\{aws_emrserverless_application\.analytics_application_\w+\.id\}$/,
    );
    expect(start.Parameters.ExecutionRoleArn).toMatch(/^\$\{aws_iam_role\.analytics_job-role_\w+\.arn\}$/);
    expect(start.Parameters.JobDriver.SparkSubmit.EntryPoint).toMatch(
      /^s3:\/\/\$\{aws_s3_bucket\.source_bucket_\w+\.bucket\}\/\$\{aws_s3_object\.analytics_report_jobpy_\w+\.key\}$/,
    );
    expect(start.Parameters.JobDriver.SparkSubmit['EntryPointArguments.$']).toMatch(
      /^States\.Array\(\$\.DatesArgument, '\$\{aws_s3_bucket\.raw_bucket_\w+\.bucket\}', '\$\{aws_s3_bucket\.output_bucket_\w+\.bucket\}'\)$/,
    );
    expect(start.Parameters.ConfigurationOverrides.MonitoringConfiguration.S3MonitoringConfiguration.LogUri).toContain(
      'aws_s3_bucket.emr-logs_bucket',
    );
  });

  it('keeps Spark off the Glue Data Catalog, which the job role has no permission for: it reads files by path', () => {
    const spark: string = definition.States[STATES.startJobRun].Parameters.JobDriver.SparkSubmit.SparkSubmitParameters;
    expect(spark.split(/\s+/)).toEqual(expect.arrayContaining(['--conf', 'spark.sql.catalogImplementation=in-memory']));
  });

  it("ships the report's SQL files and passes the configured funnels and rows a caller to the job", () => {
    const spark: string = definition.States[STATES.startJobRun].Parameters.JobDriver.SparkSubmit.SparkSubmitParameters;
    const tokens = spark.split(/\s+/);
    const files = tokens[tokens.indexOf('--files') + 1].split(',');
    expect(files.map((uri) => uri.replace(/^.*aws_s3_object\.analytics_(\w+?)_[0-9A-F]+\.key\}$/, '$1'))).toEqual(
      Object.values(REPORT_SQL_FILES).map((f) => f.replace('.', '')),
    );
    expect(funnelsFromSparkParameters(spark)).toEqual(DEFAULT_FUNNELS);
    expect(rowsPerCallerFromSparkParameters(spark)).toBe(DEFAULT_ROWS_PER_CALLER);
    const fewer = JSON.parse(
      reportStateMachine<{ name: string; definition: string }>(synth({ reportRowsPerCaller: 20 })).definition,
    );
    expect(
      rowsPerCallerFromSparkParameters(
        fewer.States[STATES.startJobRun].Parameters.JobDriver.SparkSubmit.SparkSubmitParameters,
      ),
    ).toBe(20);
  });

  it('sizes the shuffle for the busiest day, and asks for no more executors than the application allows', () => {
    const parameters = (config: Record<string, unknown>) =>
      JSON.parse(reportStateMachine<{ name: string; definition: string }>(synth(config)).definition).States[
        STATES.startJobRun
      ].Parameters.JobDriver.SparkSubmit.SparkSubmitParameters as string;
    const spark: string = definition.States[STATES.startJobRun].Parameters.JobDriver.SparkSubmit.SparkSubmitParameters;
    // A billion clicks, and the three late days read again: 800 GB of shuffle at 128 MiB a partition.
    expect(sizingFromSparkParameters(spark)).toEqual({ shufflePartitions: 5961, maxExecutors: 7 });
    expect(sizingFromSparkParameters(parameters({ emr: { clicksPerDay: 1_000_000 } }))).toEqual({
      shufflePartitions: 6,
      maxExecutors: 7,
    });
    expect(sizingFromSparkParameters(parameters({ emr: { maxCpu: '33 vCPU', maxMemory: '256 GB' } }))).toEqual({
      shufflePartitions: 5961,
      maxExecutors: 16,
    });
  });

  it('handles all nine job states', () => {
    const all = [...JOB_STATES.success, ...JOB_STATES.failure, ...JOB_STATES.pending];
    expect(new Set(all).size).toBe(9);
    const compared = JSON.stringify(definition.States[STATES.jobStateChoice].Choices);
    for (const state of all) expect(compared).toContain(`"StringEquals":"${state}"`);
  });
});

describe('outputs', () => {
  it('exposes every name the CLI needs', () => {
    const required = Object.values(OUTPUTS).filter(
      (o) => o !== OUTPUTS.functionUrl && o !== OUTPUTS.studioUrl && o !== OUTPUTS.collectorUrl,
    );
    expect(Object.keys(json.output).sort()).toEqual([...required].sort());
  });
});
