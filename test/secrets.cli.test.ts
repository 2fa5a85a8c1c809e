import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli, tempConfigHome } from './helpers/cli.js';

// A secret that would be unmistakable anywhere in output.
const CANARY = 'canary-SECRET-do-not-print-7f3e9a1c';

describe('the secret never leaves', () => {
  it('appears in no output, error, NDJSON line or capture of send, sign, verify and listen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oblic-leak-'));
    const secretFile = join(dir, 'secret');
    writeFileSync(secretFile, `${CANARY}\n`, { mode: 0o600 });
    const saveDir = join(dir, 'captures');
    const env = { OBLIC_WEBHOOK_SECRET: CANARY };
    const listener = startCli(['listen', '--port', '0', '--json', '--save', saveDir], { env });
    const url = await listener.url;
    const outputs = [
      await runCli(['send', 'all', '--to', url, '-i'], { env }),
      await runCli(['send', 'message.*', '--to', url, '--json', '--secret-file', secretFile]),
      await runCli(['send', 'group.created', '--to', url, '--secret', CANARY, '--dry-run']),
      await runCli(['send', 'group.created', '--to', url, '--secret', CANARY, '--print-curl']),
      await runCli(['send', 'contact.created', '--to', 'ftp://nope', '--secret', CANARY]),
      await runCli(['sign', '--secret', CANARY], { input: 'body' }),
      await runCli(['sign', '/nonexistent', '--secret', CANARY]),
    ];
    const capture = join(dir, 'request.http');
    writeFileSync(capture, (await runCli(['send', 'message.created', '--dry-run', '--to', url], { env })).stdoutBytes);
    writeFileSync(join(dir, 'edited.http'), `${readFileSync(capture, 'latin1')}\n`, 'latin1');
    outputs.push(
      await runCli(['verify', capture], { env }),
      await runCli(['verify', capture, '--json', '--secret', 'wrong-secret-000', '--secret', CANARY]),
      await runCli(['verify', join(dir, 'edited.http'), '--json'], { env }),
      await runCli(['verify', join(dir, 'edited.http'), '--secret', `${CANARY} `]),
      await runCli(['verify', capture, '--secret', 'another-secret-1234'], { env }), // hints name the env secret, never show it
    );
    listener.signal('SIGINT');
    outputs.push(await listener.exited);
    for (const { stdout, stderr } of outputs) {
      expect(stdout).not.toContain(CANARY);
      expect(stderr).not.toContain(CANARY);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
    expect(outputs.some(({ stderr }) => stderr.includes('…9a1c'))).toBe(true); // named by its last four characters
    const captures = readdirSync(saveDir);
    expect(captures.length).toBeGreaterThan(15);
    for (const name of captures) expect(readFileSync(join(saveDir, name), 'latin1')).not.toContain(CANARY);
  });

  it('oblic-hooks secret is the one command that prints it, and only on stdout', async () => {
    const home = tempConfigHome();
    const result = await runCli(['secret'], { env: { XDG_CONFIG_HOME: home } });
    expect(result.stdout.trim()).toMatch(/^oblicdev_/);
    expect(result.stderr).not.toContain(result.stdout.trim());
  });
});

describe('dependencies', () => {
  it('the runtime dependencies stay the four declared ones, pinned', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['chalk', 'commander', 'ora', 'undici']);
    for (const version of Object.values(pkg.dependencies)) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
