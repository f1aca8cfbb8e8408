// Environment the handlers read at module load (the pseudonym key's parameter is mocked where it is read), and quiet Powertools output.
process.env.DELIVERY_STREAM_NAME = 'test-stream';
process.env.APPLICATION_ID = 'app-from-env';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.AWS_REGION = 'us-east-1';
// Processes the tests start with tsx keep no compile cache in the temp folder.
process.env.TSX_DISABLE_CACHE = '1';
process.env.PSEUDONYM_KEY_PARAMETER = '/clicklogger/test/pseudonym-key';
// Commands that drive a stage check that credentials resolve before their first request. The
// tests' clients are mocked or point at the emulator: these keys open nothing real.
process.env.AWS_ACCESS_KEY_ID = 'test-only';
process.env.AWS_SECRET_ACCESS_KEY = 'test-only';
delete process.env.AWS_PROFILE;
delete process.env.AWS_SESSION_TOKEN;
process.env.AWS_EC2_METADATA_DISABLED = 'true';
