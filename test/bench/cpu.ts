/** `npm run bench listen-cpu`: a diagnostic, not a case with a goal (Linux: it reads /proc). */
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import {
  BIN,
  eventBody,
  LOAD_GENERATOR,
  load,
  machineBusy,
  ROOT,
  SECRET,
  startServerProcess,
  threadCpu,
} from './lib.js';

/**
 * Not a goal but the reason behind one: where the CPU goes per request, thread by thread, in the
 * bare server and in `listen --json` under the same load (npm run bench listen-cpu; Linux).
 */
export async function listenerCpu(dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const { body, signature } = eventBody(1024);
  const seconds = 4;
  const lines: string[] = [];
  for (const [label, cmd, args] of [
    ['bare node:http', 'node', [join(ROOT, 'test/bench/bare-server.mjs')]],
    ['listen --json', 'node', [BIN, 'listen', '--port', '0', '--secret', SECRET, '--json']],
  ] as const) {
    const out = openSync(join(dir, 'cpu.out'), 'w');
    const server = await startServerProcess(cmd, [...args], {
      stdout: label === 'bare node:http' ? undefined : out,
      env,
    });
    const pid = server.child.pid!;
    await load(server.url, 64, 1, body, signature, dir); // warm-up
    const [threads0, busy0] = [threadCpu(pid), machineBusy()];
    const rps = await load(server.url, 64, seconds, body, signature, dir);
    const [threads1, busy1] = [threadCpu(pid), machineBusy()];
    await server.stop();
    closeSync(out);
    const requests = rps * seconds;
    const perRequest = (ms: number) => `${((ms * 1000) / requests).toFixed(1)} µs`;
    const used = [...threads1].map(([tid, ms]) => ms - (threads0.get(tid) ?? 0)).sort((a, b) => b - a);
    const main = used[0] ?? 0;
    const rest = used.slice(1).reduce((a, b) => a + b, 0);
    lines.push(
      `| ${label} | ${Math.round(rps)} | ${perRequest(main)} | ${perRequest(rest)} | ${perRequest(busy1 - busy0 - main - rest)} | ${perRequest(busy1 - busy0)} |`,
    );
  }
  console.log(
    `CPU per request under ${LOAD_GENERATOR}, 64 connections, ${seconds} s (thread ticks of /proc; "other threads" is the verifying thread with V8's helpers):\n`,
  );
  console.log(
    '| server | req/s | busiest thread | other threads | rest of the machine (load generator, kernel) | whole machine |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const line of lines) console.log(line);
  console.log('');
}
