/** Helpers for the benchmark: spawning, timing, memory, load generation. Not a test suite. */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = `${ROOT}bin/oblic-hooks.cjs`;
export const SECRET = 'bench-secret-0123456789abcdef';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Wall time of a whole process, in ms. Its output goes to /dev/null: the process still formats and
 * writes every line, but the benchmark does not spend CPU on these two cores reading them.
 */
export function timeProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'ignore'] });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`)),
    );
  });
}

/** Runs a and b alternately `rounds` times and returns the medians: noise on the machine hits both alike. */
export async function alternate(
  rounds: number,
  a: () => Promise<number>,
  b: () => Promise<number>,
): Promise<[number, number]> {
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    as.push(await a());
    bs.push(await b());
  }
  return [median(as), median(bs)];
}

export interface Server {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Starts a process that prints a URL (http://…:port) on stdout or stderr once it is listening. */
export function startServerProcess(
  cmd: string,
  args: string[],
  options: { stdout?: number | 'ignore'; env?: NodeJS.ProcessEnv } = {},
): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/?\S*)/.exec(seen);
      if (match) {
        child.stderr?.off('data', onData);
        child.stdout?.off('data', onData);
        child.stderr?.resume();
        child.stdout?.resume();
        resolve({
          child,
          url: match[1]!,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGINT');
            }),
        });
      }
    };
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`${cmd} ${args.join(' ')} exited (${code}) before listening: ${seen}`)),
    );
  });
}

/** The resident set size of a process now, in bytes (Linux). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

const TICK_MS = 1000 / Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim() || 100);

/** CPU time (user + system) of each thread of a process so far, in ms, by thread id (Linux). */
export function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // field 3 onwards
    out.set(tid, (Number(fields[11]) + Number(fields[12])) * TICK_MS);
  }
  return out;
}

/** CPU time every core of the machine has spent busy so far, in ms (Linux). */
export function machineBusy(): number {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) * TICK_MS;
}

/** A 1 kB Oblic-like event body and its signature. */
export function eventBody(size = 1024): { body: string; signature: string } {
  const head = '{"id":"a056V7R7NmNRjl70","type":"message.updated","payload":{"id":"SIuAFUNKdSYHZF2w","message":"';
  const body = `${head}${'x'.repeat(size - head.length - 3)}"}}`;
  return { body, signature: createHmac('sha256', SECRET).update(body).digest('hex') };
}

/**
 * The load generator the listener cases use: wrk (Debian) where installed, else autocannon (a dev
 * dependency); BENCH_LOAD=autocannon or BENCH_LOAD=wrk chooses.
 */
const HAS_WRK = process.env.BENCH_LOAD
  ? process.env.BENCH_LOAD === 'wrk'
  : spawnSync('wrk', ['--version']).error === undefined;
export const LOAD_GENERATOR = HAS_WRK ? 'wrk' : 'autocannon';

/** `connections` clients POSTing `body` for `seconds`; returns requests per second. Any non-2xx answer is an error. */
export async function load(
  url: string,
  connections: number,
  seconds: number,
  body: string,
  signature: string,
  dir: string,
): Promise<number> {
  return HAS_WRK
    ? wrk(url, connections, seconds, body, signature, dir)
    : autocannonLoad(url, connections, seconds, body, signature);
}

async function wrk(
  url: string,
  connections: number,
  seconds: number,
  body: string,
  signature: string,
  dir: string,
): Promise<number> {
  const script = `${dir}/post.lua`;
  writeFileSync(
    script,
    `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["X-Oblic-Signature"] = "${signature}"\n`,
  );
  const output = await new Promise<string>((resolve, reject) =>
    execFile('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', script, url], (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    ),
  );
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  if (!rps) throw new Error(`wrk said: ${output}`);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  if (errors) throw new Error(`wrk saw ${errors[1]} non-2xx responses`);
  return Number(rps[1]);
}

async function autocannonLoad(
  url: string,
  connections: number,
  seconds: number,
  body: string,
  signature: string,
): Promise<number> {
  const { default: autocannon } = await import('autocannon');
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-oblic-signature': signature },
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`autocannon saw ${result.non2xx} non-2xx responses and ${result.errors} errors`);
  return result.requests.total / seconds;
}

/** Peak RSS of a whole process, via GNU time. */
export function peakRss(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) =>
    execFile('/usr/bin/time', ['-f', '%M', cmd, ...args], { maxBuffer: 1 << 30 }, (error, _stdout, stderr) => {
      if (error) return reject(error);
      resolve(Number(stderr.trim().split('\n').at(-1)) * 1024);
    }),
  );
}
