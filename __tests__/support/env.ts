// Environment the handlers read at module load (the pseudonym key's parameter is mocked where it is read), and quiet Powertools output.
process.env.DELIVERY_STREAM_NAME = 'test-stream';
process.env.APPLICATION_ID = 'app-from-env';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.AWS_REGION = 'us-east-1';
// Processes the tests start with tsx keep no compile cache in the temp folder.
process.env.TSX_DISABLE_CACHE = '1';
process.env.PSEUDONYM_KEY_PARAMETER = '/clicklogger/test/pseudonym-key';
