#!/usr/bin/env node
'use strict';
// The CLI needs Node 22 (Promise.withResolvers, among others); npm start and npx run it on the
// project's own Node 22 (the node-<platform> package), another Node would fail midway.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(
    `clicklogger: Node.js 22 or newer is needed, this is ${process.versions.node}; ` +
      'run it through npm in the project (npm start, npx clicklogger), which uses its Node 22, or install Node 22\n',
  );
  process.exit(1);
}
if (['local', 'serve', 'erase'].includes(process.argv[2])) {
  // The local run uses the Lambda handlers' code in-process: keep their JSON logs to warnings.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
}
require('./register-typescript').registerTypeScript();
require('../cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
