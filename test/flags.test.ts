import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';

// Flags checked before anything is read, signed or sent: in process, through run(args, io), as
// nothing here touches the process itself (issue 14).

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const stdin = new PassThrough();
  stdin.end();
  const env = { XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'oblic-hooks-flags-')) };
  const code = await run(args, { stdout, stderr, stdin, env });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

const SECRET = 'flags-test-secret-0123456789';

describe('a flag that takes one value, given twice, is exit 2 with both values (issue 13, item 20)', () => {
  it.each([
    [['send', 'message.created', '--to', '3000', '--to', '3001', '--dry-run'], '--to', '"3000" and "3001"'],
    [['send', '--data', 'a.json', '--data', 'b.json', '--dry-run'], '--data', '"a.json" and "b.json"'],
    [['replay', 'a.http', '--to', '3000', '--to', '3001'], '--to', '"3000" and "3001"'],
    [['verify', 'body.json', '--signature', 'aa', '--signature', 'bb'], '--signature', '"aa" and "bb"'],
    [['listen', '--path', '/a', '--path', '/b'], '--path', '"/a" and "/b"'],
    [['listen', '--events', 'message.*', '--events', 'contact.*'], '--events', '"message.*" and "contact.*"'],
    [['listen', '--save', 'one', '--save', 'two'], '--save', '"one" and "two"'],
  ])('%j', async (args, flag, values) => {
    const result = await cli(args);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `oblic-hooks: ${flag} is given twice (${values}); give it once\n`,
    });
  });

  it('send --to once is taken over its default, and its default needs no --to', async () => {
    const once = await cli(['send', 'message.created', '--to', '3000', '--dry-run', '--secret', SECRET]);
    expect(once.code).toBe(0);
    expect(once.stdout).toMatch(/^POST \/ HTTP\/1\.1\r\nhost: localhost:3000\r\n/);
    const none = await cli(['send', 'message.created', '--dry-run', '--secret', SECRET]);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/^POST \/ HTTP\/1\.1\r\nhost: localhost:4242\r\n/);
  });
});

describe('a command that signs with one secret takes --secret and --secret-file once each', () => {
  it.each([['send', 'message.created', '--dry-run'], ['sign'], ['replay', 'a.http']])(
    '%j: a second --secret is exit 2 and neither secret is quoted',
    async (...args) => {
      const result = await cli([...args, '--secret', `${SECRET}-a`, '--secret', `${SECRET}-b`]);
      expect(result).toEqual({ code: 2, stdout: '', stderr: 'oblic-hooks: --secret is given twice; give it once\n' });
    },
  );

  it('a second --secret-file is exit 2 before either file is read', async () => {
    const result = await cli(['sign', '--secret-file', '/nonexistent/a', '--secret-file', '/nonexistent/b']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'oblic-hooks: --secret-file is given twice; give it once\n',
    });
  });

  it('--secret with --secret-file is still "--secret wins": the file is not read', async () => {
    const result = await cli([
      'send',
      'message.created',
      '--dry-run',
      '--secret-file',
      '/nonexistent',
      '--secret',
      SECRET,
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`signing with --secret (…${SECRET.slice(-4)})\n`);
  });

  it('listen and verify still take several, numbered in the order given', async () => {
    const result = await cli(['verify', '-', '--secret', `${SECRET}-a`, '--secret', `${SECRET}-b`]);
    expect(result.stderr.split('\n')[0]).toBe('checking with 2 secrets: #1 --secret (…89-a), #2 --secret (…89-b)');
  });
});

describe('--timeout of send and replay', () => {
  it.each([
    ['send', 'message.created'],
    ['replay', 'a.http'],
  ])('%j --timeout 0 is exit 2 with the one rule', async (...args) => {
    const result = await cli([...args, '--timeout', '0']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'oblic-hooks: --timeout must be above 0\n' });
  });
});

describe('--version', () => {
  // The program builds no command for it (main.ts), so it must not depend on what follows.
  it.each([
    ['--version'],
    ['-V'],
    ['--version', 'nope'],
    ['--version', '--help'],
    ['--help', '--version'],
    ['verify', '--version'],
  ])('%j prints the version alone, exit 0', async (...args) => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(await cli(args)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});
