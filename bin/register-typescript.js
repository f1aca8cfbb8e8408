'use strict';
/**
 * Lets the CLI, and its worker threads, run the TypeScript sources directly (tsx compiles them
 * on the fly: there is no build step), with both compile caches under node_modules/.cache: Node's
 * (the V8 code of cdktf, the AWS SDK and the rest) and tsx's (the compiled sources). A run leaves
 * nothing in the system temp folder. NODE_DISABLE_COMPILE_CACHE=1 and TSX_DISABLE_CACHE=1 turn
 * them off; a checkout that cannot be written (a read-only mount) runs without them.
 */
const fs = require('node:fs');
const path = require('node:path');

const CACHE = path.join(__dirname, '..', 'node_modules', '.cache', 'clicklogger');

function writable(dir) {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function registerTypeScript() {
  const nodeModule = require('node:module');
  const cacheable = writable(CACHE);
  if (process.env.NODE_DISABLE_COMPILE_CACHE !== '1' && nodeModule.enableCompileCache && cacheable) {
    nodeModule.enableCompileCache(path.join(CACHE, 'node'));
  }
  if (!cacheable) process.env.TSX_DISABLE_CACHE = '1';
  if (process.env.TSX_DISABLE_CACHE === '1') {
    require('tsx/cjs/api').register();
    return;
  }
  // tsx names its cache folder after the temp folder when it loads (<temp>/tsx-<uid>), and has
  // no setting for it: point the temp folder at ours for that moment only.
  const temp = process.env.TMPDIR;
  process.env.TMPDIR = CACHE;
  try {
    require('tsx/cjs/api').register();
  } finally {
    if (temp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = temp;
  }
}

module.exports = { registerTypeScript };
