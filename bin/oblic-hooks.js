#!/usr/bin/env node
// A shim: the real entry is compiled to dist/ by `npm install` (the prepare script).
import('../dist/cli.js').then(
  (cli) => cli.main(process.argv),
  (error) => {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist')) {
      process.stderr.write('oblic-hooks: the build is missing (no dist/); run `npm install` in the package folder\n');
      process.exit(2);
    }
    throw error;
  },
);
