/**
 * The start-up cases of `npm run bench start`: whole processes, each against a baseline measured in
 * the same rounds (alternating, medians), as issue 14's table states them.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { alternate, BIN, eventBody, ROOT, SECRET, startServerProcess, timeProcess } from './lib.js';

export type Row = (name: string, ours: string, baseline: string, ratio: number, goal: string, pass: boolean) => void;

export interface Context {
  dir: string;
  env: NodeJS.ProcessEnv;
  row: Row;
}

const ROUNDS = 21;
const BARE_SERVER = join(ROOT, 'test/bench/bare-server.mjs');
const ms = (value: number) => `${value.toFixed(1)} ms`;

function ratioRow(row: Row, name: string, ours: number, base: number, baseline: string, goal: number): void {
  row(name, ms(ours), `${ms(base)} (${baseline})`, ours / base, `≤ ${goal.toFixed(2)}×`, ours / base <= goal);
}

/** `--version` and a `verify` of a small capture, against `node -e 0`. */
async function coldStart({ dir, env, row }: Context): Promise<void> {
  const capture = join(dir, 'small.http');
  const { body, signature } = eventBody(1024);
  const fd = openSync(capture, 'w');
  writeSync(
    fd,
    `POST / HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length}\r\nx-oblic-signature: ${signature}\r\n\r\n${body}`,
  );
  closeSync(fd);
  for (const [label, args] of [
    ['cold start: --version', ['--version']],
    ['cold start: verify a small capture', ['verify', capture, '--secret', SECRET]],
  ] as const) {
    await timeProcess('node', ['-e', '0']); // warm the page cache
    const [ours, base] = await alternate(
      ROUNDS,
      () => timeProcess('node', [BIN, ...args], env),
      () => timeProcess('node', ['-e', '0']),
    );
    ratioRow(row, label, ours, base, 'node -e 0', 1.2);
  }
}

/** One `send message.created` to a bare local server, whole process, against `node -e 0`. */
async function singleSend({ env, row }: Context): Promise<void> {
  const bare = await startServerProcess('node', [BARE_SERVER]);
  try {
    const send = () => timeProcess('node', [BIN, 'send', 'message.created', '--to', bare.url], env);
    await alternate(1, send, () => timeProcess('node', ['-e', '0']));
    const [ours, base] = await alternate(ROUNDS, send, () => timeProcess('node', ['-e', '0']));
    ratioRow(row, 'send message.created to a local server, one delivery (whole process)', ours, base, 'node -e 0', 1.6);
  } finally {
    await bare.stop();
  }
}

/** `demo` (a listener and fifteen deliveries in one process): its goal is a time, `node -e 0` is shown beside it. */
async function demo({ env, row }: Context): Promise<void> {
  const run = () => timeProcess('node', [BIN, 'demo'], env);
  await alternate(1, run, () => timeProcess('node', ['-e', '0']));
  const [ours, base] = await alternate(ROUNDS, run, () => timeProcess('node', ['-e', '0']));
  row('demo (whole process)', ms(ours), `${ms(base)} (node -e 0)`, ours / base, '≤ 300 ms', ours <= 300);
}

/** Time from spawning to the URL on the terminal: `listen` against a bare node:http server. */
async function listenStart({ env, row }: Context): Promise<void> {
  const untilListening = async (args: string[], childEnv?: NodeJS.ProcessEnv) => {
    const started = performance.now();
    const server = await startServerProcess('node', args, { env: childEnv });
    const elapsed = performance.now() - started;
    await server.stop();
    return elapsed;
  };
  const ours = () => untilListening([BIN, 'listen', '--port', '0', '--secret', SECRET], env);
  const bare = () => untilListening([BARE_SERVER]);
  await alternate(1, ours, bare);
  const [o, b] = await alternate(ROUNDS, ours, bare);
  ratioRow(row, 'listen: time to "listening on"', o, b, 'bare node:http server', 1.3);
}

/** Every start-up row, in the order of the table. */
export async function startup(context: Context): Promise<void> {
  await coldStart(context);
  await listenStart(context);
  await singleSend(context);
  await demo(context);
}
