#!/usr/bin/env node
'use strict';
if (process.argv[2] === 'local') {
  // The local run uses the Lambda handlers' code in-process: keep their JSON logs to warnings.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
}
// tsx keeps its compile cache in the system temp folder; a run leaves nothing there.
process.env.TSX_DISABLE_CACHE ??= '1';
// Runs the TypeScript CLI directly: tsx compiles on the fly, so there is no build step.
require('tsx/cjs/api').register();
require('../cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
