/**
 * Each command's usage line. Kept apart from the commands, so that `clicklogger` loads only the
 * command it runs (the cloud commands' SDK clients and the local run's cdktf are heavy).
 */
export const LOCAL_USAGE =
  'clicklogger local [--events FILE] [--date YYYY-MM-DD] [--generate N] [--out DIR] [--keep] [--engine duckdb|spark] [--verbose]';
export const SEND_USAGE = 'clicklogger send [--stage dev] (--sample [--date YYYY-MM-DD] | --events FILE)';
export const RUN_USAGE =
  'clicklogger run (--date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD) [--no-wait] [--stage dev]';
export const REPORT_USAGE =
  'clicklogger report (--date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD) [--stage dev | --out DIR] [--html FILE]';
export const COST_USAGE =
  'clicklogger cost [--stage S] [--clicks-per-day N] [--bytes-per-click B] [--clicks-per-request K] [--json]';
export const SERVE_USAGE =
  'clicklogger serve [--port 8787] [--host 127.0.0.1] [--out DIR] [--allow-origin ORIGIN]... [--keep] [--engine duckdb|spark] [--verbose]';
export const ERASE_USAGE =
  'clicklogger erase (--user U | --contextid C) [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--out DIR [--engine duckdb|spark] | --stage S] [--yes]';
export const DOCTOR_USAGE = 'clicklogger doctor [--stage dev]';
export const BOOTSTRAP_USAGE = 'clicklogger bootstrap [--stage dev] [--bucket NAME] [--lock file|dynamodb]';
