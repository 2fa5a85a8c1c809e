// The shape of the code, checked (issue 14): the layers of src/ and their import directions, no import
// cycles, no long files, and what the built binary loads for its quickest commands.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PEOPLE } from '../src/samples/data.js';
import { BIN } from './helpers/cli.js';
import { cyclesOf, filesUnder, importsOf } from './helpers/imports.js';
import { signatureOf } from './helpers/server.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');

/** Lowest first. A module imports its own folder or a lower rank only: never a sibling of its rank. */
const RANK: Record<string, number> = {
  base: 0,
  oblic: 1,
  signing: 2,
  wire: 3,
  receive: 3,
  samples: 4,
  send: 5,
  listen: 5,
  check: 5,
  scenario: 5,
  inspector: 6,
  cli: 7,
};
const LIBRARY_MAY_IMPORT = ['base', 'oblic', 'signing', 'receive'];

/**
 * What breaks a rule today: nothing since issue 14 landed. A breach can be listed here only with its
 * reason; the test fails both on a new breach and on a listed one that is gone, so the list only shrinks.
 */
const TODAY = {
  imports: [] as string[],
  long: [] as string[],
  loads: [] as string[],
};

const layerOf = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : file);
const reason = (breach: string) => TODAY.imports.find((known) => known.startsWith(`${breach} (`)) ?? breach;

describe('the layers of src/ (issue 14)', () => {
  const files = filesUnder(src, ['.ts']);
  const imports = new Map(files.map((file) => [file, importsOf(src, file)]));

  it('every folder of src/ is a layer, and src/index.ts is the only file beside them', () => {
    expect(new Set(files.map(layerOf))).toEqual(new Set([...Object.keys(RANK), 'index.ts']));
  });

  it('a module imports (statically, for types or dynamically) its own layer or a lower one, never a sibling or cli/', () => {
    const breaches: string[] = [];
    for (const [file, list] of imports) {
      const from = layerOf(file);
      for (const { target } of list) {
        if (target === null || from === 'index.ts') continue;
        const to = layerOf(target);
        if (to !== from && !((RANK[to] ?? Infinity) < RANK[from]!)) breaches.push(reason(`${file} → ${target}`));
      }
    }
    expect(breaches.sort()).toEqual([...TODAY.imports].sort());
  });

  it('src/index.ts, the library, imports only base/, oblic/, signing/ and receive/', () => {
    const targets = imports.get('index.ts')!.map((i) => i.target ?? i.specifier);
    expect(targets.length).toBeGreaterThan(0);
    expect(targets.filter((target) => !LIBRARY_MAY_IMPORT.includes(layerOf(target)))).toEqual([]);
  });

  it('no cycle of static imports (an `import type` is erased, so it is left out)', () => {
    const graph = new Map(
      files.map((file) => [
        file,
        imports
          .get(file)!
          .filter((i) => i.kind === 'static' && i.target !== null)
          .map((i) => i.target!),
      ]),
    );
    expect(cyclesOf(graph).map((cycle) => cycle.join(' → '))).toEqual([]);
    // The walk does find one when there is one.
    expect(
      cyclesOf(
        new Map([
          ['a', ['b']],
          ['b', ['a']],
          ['c', ['a']],
        ]),
      ),
    ).toEqual([['a', 'b', 'a']]);
  });
});

describe('file sizes', () => {
  it('no file over 250 lines in src/, scripts/, bin/ or test/helpers/', () => {
    const long = ['src', 'scripts', 'bin', 'test/helpers']
      .flatMap((dir) => filesUnder(join(root, dir), ['.ts', '.js', '.mjs', '.cjs']).map((file) => `${dir}/${file}`))
      .filter((file) => readFileSync(join(root, file), 'utf8').split('\n').length - 1 > 250);
    expect(long.sort()).toEqual([...TODAY.long].sort());
  });
});

// What the built binary loads, recorded at exit by a preload (helpers/recorder.cjs). The bundle's
// files are named by hash, so a file is known by what it holds; the count of bundle files is pinned,
// so a new static import shows up here as one more file, and its content as a name below. The
// counts are today's: a change to the command tree (issue 14 splits each command into index.ts and
// run.ts) moves them, and then they are pinned again to what it measures, once it is understood.
const bundle = join(root, 'dist', 'bundle');
const HOLDS: Record<string, string> = {
  samples: PEOPLE[0]!.username, // the sample factory's data pools
  ora: 'isSpinning',
  chalk: 'ansi256',
};
const NEVER = [
  'samples',
  'ora',
  'chalk',
  'undici',
  'node:http',
  'node:net',
  'node:worker_threads',
  'node:child_process',
];

interface Loaded {
  bundleFiles: string[];
  loads: Set<string>;
}

function readRecord(path: string): Loaded {
  const { files, builtins } = JSON.parse(readFileSync(path, 'utf8')) as { files: string[]; builtins: string[] };
  const bundleFiles = files.filter((file) => file.startsWith(`${bundle}/`));
  const text = bundleFiles.map((file) => readFileSync(file, 'utf8')).join('\n');
  const loads = new Set(builtins.map((name) => `node:${name}`));
  for (const [name, marker] of Object.entries(HOLDS)) if (text.includes(marker)) loads.add(name);
  if (files.some((file) => file.includes('/node_modules/undici/'))) loads.add('undici');
  return { bundleFiles: bundleFiles.map((file) => basename(file)), loads };
}

/**
 * Runs the real binary with the recorder preloaded and reads what it loaded. Its output goes to
 * files, not pipes: Node loads node:net for a standard stream that is a pipe, whatever the command.
 */
async function loadedBy(args: string[], dir: string): Promise<Loaded & { code: number | null; stderr: string }> {
  const record = join(dir, 'loaded.json');
  const [out, err] = [openSync(join(dir, 'stdout'), 'w'), openSync(join(dir, 'stderr'), 'w')];
  const child = spawn(
    process.execPath,
    ['-r', fileURLToPath(new URL('helpers/recorder.cjs', import.meta.url)), BIN, ...args],
    {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: dir, RECORD_LOADED_TO: record },
      stdio: ['ignore', out, err],
    },
  );
  closeSync(out);
  closeSync(err);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return { code, stderr: readFileSync(join(dir, 'stderr'), 'utf8'), ...readRecord(record) };
}

describe('what the binary loads (issue 14: start-up)', () => {
  const secret = 'structure-secret-0001';
  const body = '{"id":"a056V7R7NmNRjl70","type":"message.created","payload":{}}';
  const capture = join(mkdtempSync(join(tmpdir(), 'oblic-hooks-loads-')), 'small.http');
  writeFileSync(
    capture,
    `POST / HTTP/1.1\r\nContent-Length: ${body.length}\r\nX-Oblic-Signature: ${signatureOf(secret, Buffer.from(body))}\r\n\r\n${body}`,
  );
  const cases = [
    { name: '--version', args: ['--version'], files: 8, uses: [] },
    // 21 since issue 18: the project config's reader (for its secretFile), as send and listen load it.
    { name: 'verify', args: ['verify', capture, '--secret', secret], files: 21, uses: [] },
    {
      name: 'send --dry-run',
      args: ['send', 'message.created', '--dry-run', '--secret', secret],
      // 20 since issue 16: cli/attempts.ts, loaded by send only for the delivery behaviour flags,
      // shares some of what send's run.ts loads, and esbuild splits that chunk in two. 21 since
      // issue 18: cli/tls-read.ts (--ca, --insecure), which five commands' run.ts share, is a chunk.
      // 22 since issue 18: cli/config.ts (project defaults), loaded by the actions that read it.
      files: 22,
      uses: ['samples'],
    },
    // --timeout ends it with the code it would have on Ctrl-C. (A SIGINT sent the moment the ready line
    // appears can come before listen has set its handler, and ends it by the signal.)
    {
      name: 'listen',
      args: ['listen', '--port', '0', '--secret', secret, '--timeout', '1ms'],
      files: 27, // 26 since issue 18: cli/tls-read.ts, as for send; 27: cli/config.ts, as for send
      // Node's server.listen itself loads node:cluster and, behind it, node:child_process (a bare
      // node:http server does too).
      uses: ['node:http', 'node:net', 'node:worker_threads', 'node:child_process'],
    },
  ];

  it('each name it looks for is in the bundle: in the files of samples, ora and chalk, and undici as a require', () => {
    const texts = filesUnder(bundle, ['.js']).map((file) => readFileSync(join(bundle, file), 'utf8'));
    for (const marker of [...Object.values(HOLDS), 'require("undici")'])
      expect(texts.filter((text) => text.includes(marker)).length, marker).toBeGreaterThan(0);
  });

  it.each(cases)(
    '$name loads $files files of the bundle and, of the list, only what it uses',
    async ({ name, args, files, uses }) => {
      const loaded = await loadedBy(args, mkdtempSync(join(tmpdir(), 'oblic-hooks-loads-')));
      expect(loaded.code, loaded.stderr).toBe(0);
      expect(loaded.bundleFiles).toContain('main.js');
      expect(loaded.bundleFiles, loaded.bundleFiles.join(' ')).toHaveLength(files);
      expect(uses.filter((thing) => !loaded.loads.has(thing))).toEqual([]); // so the markers find what is there
      const breaches = NEVER.filter((thing) => !uses.includes(thing) && loaded.loads.has(thing));
      expect(breaches.map((thing) => `${name} loads ${thing}`)).toEqual(
        TODAY.loads.filter((known) => known.startsWith(`${name} `)),
      );
    },
  );
});
