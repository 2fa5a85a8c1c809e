/**
 * npm run bench: every case side by side with its baseline in the same run, alternating, medians.
 * Absolute numbers are noisy on a shared 2-core machine; the ratios are what we hold.
 */
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BIN,
  LOAD_GENERATOR,
  ROOT,
  SECRET,
  alternate,
  eventBody,
  load,
  median,
  peakRss,
  rssOf,
  startServerProcess,
  timeProcess,
} from './lib.js';
import { listenerCpu } from './cpu.js';
import { startup } from './startup.js';
import { checkRun } from './check.js';
import { receive } from './receive.js';
import { inspector } from './inspector.js';

interface Row {
  name: string;
  ours: string;
  baseline: string;
  ratio: number;
  goal: string;
  pass: boolean;
}

const rows: Row[] = [];
const dir = mkdtempSync(join(tmpdir(), 'oblic-bench-'));
const env = { ...process.env, OBLIC_WEBHOOK_SECRET: SECRET, XDG_CONFIG_HOME: dir };
const only = process.argv[2];

function row(name: string, ours: string, baseline: string, ratio: number, goal: string, pass: boolean): void {
  rows.push({ name, ours, baseline, ratio, goal, pass });
  console.error(
    `  ${name}: ours ${ours}, baseline ${baseline}, ${ratio.toFixed(2)}× (goal ${goal}) ${goal === 'none' ? '' : pass ? 'pass' : 'FAIL'}`,
  );
}

async function listener(pretty: boolean): Promise<void> {
  const { body, signature } = eventBody(1024);
  const rounds = 3;
  const ours: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const out = openSync(join(dir, `listen-${i}.out`), 'w');
    const args = [BIN, 'listen', '--port', '0', '--secret', SECRET, ...(pretty ? [] : ['--json'])];
    const server = await startServerProcess('node', args, { stdout: out, env });
    await load(server.url, 64, 1, body, signature, dir); // warm-up
    ours.push(await load(server.url, 64, 4, body, signature, dir));
    await server.stop();
    closeSync(out);
    const bare = await startServerProcess('node', [join(ROOT, 'test/bench/bare-server.mjs')]);
    await load(bare.url, 64, 1, body, signature, dir);
    base.push(await load(bare.url, 64, 4, body, signature, dir));
    await bare.stop();
  }
  const [o, b] = [median(ours), median(base)];
  const goal = pretty ? 0.5 : 0.75;
  const what = `${pretty ? 'listener, pretty output to a file' : 'listener, --json to a file'} (${LOAD_GENERATOR})`;
  row(
    what,
    `${Math.round(o)} req/s`,
    `${Math.round(b)} req/s (bare node:http)`,
    o / b,
    `≥ ${goal.toFixed(2)}×`,
    o / b >= goal,
  );
}

async function sender(): Promise<void> {
  const count = 20_000;
  const bare = await startServerProcess('node', [join(ROOT, 'test/bench/bare-server.mjs')]);
  const ourRun = () =>
    timeProcess(
      'node',
      [BIN, 'send', 'message.updated', '--count', String(count), '--concurrency', '64', '--json', '--to', bare.url],
      env,
    );
  const bareRun = () => timeProcess('node', [join(ROOT, 'test/bench/bare-sender.mjs'), bare.url, String(count), '64']);
  // One unmeasured round first: a fresh server is still compiling its hot path during the first
  // run, and that run would otherwise always be ours.
  await alternate(1, ourRun, bareRun);
  const [ours, base] = await alternate(5, ourRun, bareRun);
  await bare.stop();
  const [o, b] = [(count * 1000) / ours, (count * 1000) / base];
  row(
    'sender, 20,000 events, 64 in flight (whole process)',
    `${Math.round(o)} req/s`,
    `${Math.round(b)} req/s (bare undici Pool)`,
    o / b,
    '≥ 0.90×',
    o / b >= 0.9,
  );
}

async function bigCapture(): Promise<void> {
  const size = 200 * 1024 * 1024;
  const bodyPath = join(dir, 'big.body');
  const capturePath = join(dir, 'big.http');
  const chunk = Buffer.alloc(1024 * 1024, '{"k":"0123456789abcdef"}');
  const hmac = createHmac('sha256', SECRET);
  const bodyFd = openSync(bodyPath, 'w');
  for (let written = 0; written < size; written += chunk.length) {
    writeSync(bodyFd, chunk);
    hmac.update(chunk);
  }
  closeSync(bodyFd);
  const fd = openSync(capturePath, 'w');
  writeSync(
    fd,
    `POST / HTTP/1.1\r\nhost: x\r\ncontent-length: ${size}\r\nx-oblic-signature: ${hmac.digest('hex')}\r\n\r\n`,
  );
  closeSync(fd);
  execFileSync('sh', ['-c', `cat "${bodyPath}" >> "${capturePath}"`]);
  // Eleven rounds: a run is about 0.2 s, and with five the median moved by ±0.1× between runs.
  const [ours, base] = await alternate(
    11,
    () => timeProcess('node', [BIN, 'verify', capturePath, '--secret', SECRET], env),
    () => timeProcess('openssl', ['dgst', '-sha256', '-hmac', SECRET, bodyPath]),
  );
  row(
    'verify a 200 MiB capture',
    `${ours.toFixed(0)} ms`,
    `${base.toFixed(0)} ms (openssl dgst -hmac)`,
    ours / base,
    '≤ 1.30×',
    ours / base <= 1.3,
  );
  rmSync(bodyPath);
  rmSync(capturePath);
}

async function listenerMemory(save: boolean): Promise<void> {
  const saveDir = join(dir, `saved-${save}`);
  const out = openSync(join(dir, `mem-${save}.out`), 'w');
  const server = await startServerProcess(
    'node',
    [BIN, 'listen', '--port', '0', '--json', ...(save ? ['--save', saveDir] : [])],
    { stdout: out, env },
  );
  const pid = server.child.pid!;
  const send = (count: number) =>
    timeProcess(
      'node',
      [BIN, 'send', 'message.updated', '--count', String(count), '-c', '64', '--json', '--to', server.url],
      env,
    );
  await send(1_000);
  const after1k = rssOf(pid);
  await send(99_000);
  const after100k = rssOf(pid);
  await server.stop();
  closeSync(out);
  rmSync(saveDir, { recursive: true, force: true });
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MiB`;
  const label = `listener RSS after 100k requests${save ? ' with --save' : ''}`;
  row(label, mb(after100k), `${mb(after1k)} (after 1k)`, after100k / after1k, '≤ 1.50×', after100k / after1k <= 1.5);
}

async function senderMemory(): Promise<void> {
  const bare = await startServerProcess('node', [join(ROOT, 'test/bench/bare-server.mjs')]);
  const args = (count: number) => [
    BIN,
    'send',
    'message.updated',
    '--count',
    String(count),
    '-c',
    '64',
    '--json',
    '--to',
    bare.url,
  ];
  const small = await peakRss('node', args(2_000));
  const large = await peakRss('node', args(200_000));
  await bare.stop();
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MiB`;
  row(
    'send --count 200000, peak RSS',
    mb(large),
    `${mb(small)} (--count 2000)`,
    large / small,
    '≤ 1.50×',
    large / small <= 1.5,
  );
}

const cases: Record<string, () => Promise<void>> = {
  start: () => startup({ dir, env, row }),
  listen: () => listener(false),
  pretty: () => listener(true),
  send: sender,
  big: bigCapture,
  'listen-memory': async () => {
    await listenerMemory(false);
    await listenerMemory(true);
  },
  'send-memory': senderMemory,
  check: () => checkRun({ dir, env, row }),
  receive: () => receive({ dir, env, row }),
  inspector: () => inspector({ dir, env, row }),
};

// Diagnostics that explain a goal rather than measure one: run only when named.
const diagnostics: Record<string, () => Promise<void>> = { 'listen-cpu': () => listenerCpu(dir, env) };

for (const [name, run] of Object.entries(cases)) {
  if (only && only !== name) continue;
  console.error(`${name}…`);
  await run();
}
if (only && diagnostics[only]) await diagnostics[only]();
rmSync(dir, { recursive: true, force: true });
if (rows.length > 0) {
  console.log('| case | ours | baseline | ratio | goal | result |');
  console.log('|---|---|---|---|---|---|');
}
for (const r of rows)
  console.log(
    `| ${r.name} | ${r.ours} | ${r.baseline} | ${r.ratio.toFixed(2)}× | ${r.goal} | ${r.goal === 'none' ? '—' : r.pass ? 'pass' : '**fail**'} |`,
  );
process.exitCode = rows.every((r) => r.pass) ? 0 : 1;
