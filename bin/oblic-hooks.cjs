#!/usr/bin/env node
'use strict';
// A shim: the real entry is built into dist/ by `npm install` (the prepare script). The shim and the
// start-up bundle are CommonJS, though the sources are ESM: Node's ESM loader costs about 7 ms at
// start-up (cold `verify`, median of 80 alternating runs: 1.33x to 1.22x `node -e 0`), and every
// built-in loads without an ESM facade.
let cli;
try {
  cli = require('../dist/cli.bundle.cjs');
} catch (error) {
  if (error?.code !== 'MODULE_NOT_FOUND' || !String(error.message).includes('cli.bundle.cjs')) throw error;
  process.stderr.write('oblic-hooks: the build is missing (no dist/); run `npm install` in the package folder\n');
  process.exit(2);
}
cli.main(process.argv);
