#!/usr/bin/env node
// The whole build, run by `npm install` (prepare), `npm test` and `npm run bench`.
//
//   dist/index.js, dist/**/*.js, *.d.ts   the library: tsc's ESM output of src/index.ts and what it
//                                         imports (base/, oblic/, signing/, receive/), one file per module.
//   dist/bundle/*.js                      the CLI: one CommonJS module graph, split into chunks.
//   dist/bundle/page/                     the inspector's page (src/inspector/page/), read as files.
//
// Why the CLI is CommonJS: Node's ESM loader costs several milliseconds of every start (a cold
// `--version` measured 147 against 170 ms, CommonJS against ESM, same bundle, alternating runs), and
// the bin is a CommonJS shim that `require`s dist/bundle/main.js.
//
// Lazy loading is stated in the sources only: a command's index.ts declares its options and its
// action does `(await import('./run.js')).run(…)`. Every src/cli/commands/<name>/run.ts is an entry
// point here, so what a command needs loads when it runs and `--version` loads none of it. esbuild
// splits only ESM, so the build is two passes: esbuild bundles and splits the CLI as ESM in memory,
// then each output file is turned into CommonJS on its own, with every import (static or dynamic)
// of another output file becoming a `require`. All output files sit in one folder, so a path one
// file computes from its own location (the listener's worker) is right in every file.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bundle');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// The inspector's page (HTML, CSS, browser modules, icon): src/inspector/page.ts reads it from
// ./page/ beside its own file, so it is copied beside the bundle's chunks.
const page = join(root, 'src', 'inspector', 'page');

// 1. The library (and the .d.ts files its users' editors read): only src/index.ts's graph, which
// is a third of src/ and of tsc's time. `npm test` typechecks all of src/ and test/ on its own.
rmSync(join(root, 'dist'), { recursive: true, force: true });
try {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'scripts', 'tsconfig.lib.json')], { stdio: 'inherit' });
} catch {
  process.stderr.write('build: tsc failed (its errors are above)\n');
  process.exit(1);
}

// 2. The CLI's entry points: the program, each command's run.ts, and the listener's verifying thread.
const commands = join(root, 'src', 'cli', 'commands');
const entryPoints = { main: join(root, 'src', 'cli', 'main.ts'), worker: join(commands, 'listen', 'worker.ts') };
for (const name of readdirSync(commands)) {
  const run = join(commands, name, 'run.ts');
  if (existsSync(run)) entryPoints[name] = run;
}

const split = await esbuild.build({
  absWorkingDir: root,
  entryPoints,
  outdir: out,
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  write: false,
  logLevel: 'warning',
  // undici is CommonJS and large: `require`d from node_modules, never bundled. chalk, ora and
  // commander are bundled (chalk and ora are ESM-only, which Node 20.18 cannot `require`).
  external: ['undici', 'undici/*'],
  // Commander requires node:child_process at load for executable subcommands, which we never
  // define; the real module (and node:net behind it) cost about 10 ms of every start.
  alias: { 'node:child_process': join(root, 'src', 'cli', 'no-child-process.ts') },
  define: { __OBLIC_HOOKS_VERSION__: JSON.stringify(version) },
});

mkdirSync(out, { recursive: true });
// `.js` files in this folder are CommonJS, whatever the package's "type" says.
writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');
cpSync(page, join(out, 'page'), { recursive: true }); // served to the browser, never required
for (const file of split.outputFiles) {
  const usesUrl = file.text.includes('import.meta.url');
  const cjs = await esbuild.build({
    stdin: { contents: file.text, resolveDir: out, sourcefile: relative(root, file.path), loader: 'js' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: true,
    write: false,
    logLevel: 'warning',
    // `import('./chunk-x.js')` becomes `Promise.resolve().then(() => require('./chunk-x.js'))`.
    supported: { 'dynamic-import': false },
    // Every import is another output file, undici or a Node built-in: all stay imports.
    plugins: [
      {
        name: 'all-external',
        setup: (build) => build.onResolve({ filter: /.*/ }, (args) => ({ path: args.path, external: true })),
      },
    ],
    ...(usesUrl && {
      banner: { js: 'var __oblic_url=require("node:url").pathToFileURL(__filename).href;' },
      define: { 'import.meta.url': '__oblic_url' },
    }),
  });
  writeFileSync(file.path, cjs.outputFiles[0].contents);
}
