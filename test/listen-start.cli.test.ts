import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliResult, spawnCli, tempConfigHome } from './helpers/cli.js';

// Preloaded into the binary: at exit, it names every package under node_modules that was loaded.
const PROBE = `process.on('exit', () => process.stderr.write('loaded: ' + [...new Set(Object.keys(require.cache)
  .flatMap((file) => /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(file)?.[1] ?? []))].join(' ') + '\\n'));`;

async function loaded(args: string[]): Promise<{ result: CliResult; packages: string[] }> {
  const probe = join(tempConfigHome(), 'probe.cjs');
  writeFileSync(probe, PROBE);
  const result = await spawnCli(['listen', '--port', '0', '--timeout', '1ms', ...args], {
    env: { OBLIC_WEBHOOK_SECRET: 'listen-start-secret', NODE_OPTIONS: `--require=${probe}` },
  });
  const line = /^loaded: (.*)$/m.exec(result.stderr);
  expect(line, result.stderr).not.toBeNull();
  return { result, packages: line![1]!.split(' ').filter(Boolean) };
}

describe('what listen loads to start', () => {
  it('undici (about 110 files) only with --forward-to', async () => {
    const plain = await loaded([]);
    expect(plain.result.stderr).toContain('listening on http://127.0.0.1:');
    expect(plain.packages).not.toContain('undici');
    const forwarding = await loaded(['--forward-to', 'http://127.0.0.1:9/']);
    expect(forwarding.result.stderr).toContain('→ forwarding to http://127.0.0.1:9/');
    expect(forwarding.packages).toContain('undici');
  });
});
