#!/usr/bin/env node
'use strict';
// A shim: the real entry is built into dist/bundle/ by `npm install` (the prepare script, which runs
// scripts/build.mjs). The shim and the bundle are CommonJS though the sources are ESM: Node's ESM
// loader costs several milliseconds of every start (see scripts/build.mjs).
let cli;
try {
  cli = require('../dist/bundle/main.js');
} catch (error) {
  if (error?.code !== 'MODULE_NOT_FOUND' || !String(error.message).includes('bundle')) throw error;
  process.stderr.write('oblic-hooks: the build is missing (no dist/); run `npm install` in the package folder\n');
  process.exit(2);
}
cli.main(process.argv);
