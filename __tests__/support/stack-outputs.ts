/** A deployed stack's outputs, as `cdktf deploy --outputs-file` writes them. */
export const STACK_OUTPUTS = {
  'clicklogger-dev': {
    region: 'us-east-1',
    ingest_function_name: 'clicklogger-dev-ingestion-lambda',
    state_machine_arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:clicklogger-dev-state-machine',
    output_bucket: 'us-east-1-clicklogger-dev-loggregator-output-123456789012',
  },
};
