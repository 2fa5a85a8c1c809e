#!/usr/bin/env node
// A shim: the real entry is built into dist/ by `npm install` (the prepare script). The start-up
// bundle is CommonJS because that loads Node's built-ins without building an ESM facade for each.
import { createRequire } from 'node:module';

let cli;
try {
  cli = createRequire(import.meta.url)('../dist/cli.bundle.cjs');
} catch (error) {
  if (error?.code !== 'MODULE_NOT_FOUND' || !String(error.message).includes('cli.bundle.cjs')) throw error;
  process.stderr.write('oblic-hooks: the build is missing (no dist/); run `npm install` in the package folder\n');
  process.exit(2);
}
cli.main(process.argv);
