// Issue 18, "small things a careful CLI gets right": help that fits the terminal, and `version`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { wrapHelp } from '../src/cli/help-wrap.js';
import { runCli, spawnCli, startCli, tempConfigHome } from './helpers/cli.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const words = (text: string) => text.replace(/\s+/g, ' ').trim();

describe('help wraps to $COLUMNS, closing sections included', () => {
  it.each([[[]], [['send']], [['scenario', 'run']], [['check']]])('%j --help at 60 columns', async (args) => {
    const wide = await runCli([...args, '--help']);
    const narrow = await runCli([...args, '--help'], { env: { COLUMNS: '60' } });
    expect(narrow.code).toBe(0);
    const long = narrow.stdout.split('\n').filter((line) => line.length > 60);
    // Only example commands stay whole, so they can be copied as they are.
    expect(long.filter((line) => !/^\s+\$ /.test(line))).toEqual([]);
    // Not a word lost or moved: the same text, wrapped.
    expect(words(narrow.stdout)).toBe(words(wide.stdout));
    // Piped with no $COLUMNS, it is written as it is (100 columns).
    expect(wide.stdout.split('\n').some((line) => line.length > 80)).toBe(true);
  });

  it("continues an exit code's text under its text, not under the code", async () => {
    const help = (await runCli(['--help'], { env: { COLUMNS: '50' } })).stdout.split('\n');
    const at = help.findIndex((line) => line.startsWith('  130 interrupted'));
    expect(help[at + 1]).toMatch(/^ {6}\S/);
  });

  it('reflows a paragraph, and wraps a long word-free line as it is rather than break it', () => {
    expect(wrapHelp('one two three four five six', 10)).toBe('one two\nthree four\nfive six');
    expect(wrapHelp(`  --flag <x>  ${'word '.repeat(6).trim()}`, 24)).toBe(
      '  --flag <x>  word word\n              word word\n              word word',
    );
    expect(wrapHelp(`  $ ${'x'.repeat(40)}`, 20)).toBe(`  $ ${'x'.repeat(40)}`);
    expect(wrapHelp('a'.repeat(30), 10)).toBe('a'.repeat(30));
  });
});

describe('oblic-hooks version', () => {
  it('prints what --version prints; --json as an object', async () => {
    const [plain, json, flag] = await Promise.all([
      spawnCli(['version']),
      spawnCli(['version', '--json']),
      spawnCli(['--version']),
    ]);
    expect([plain.code, plain.stdout]).toEqual([0, `${version}\n`]);
    expect(plain.stdout).toBe(flag.stdout);
    expect(JSON.parse(json.stdout)).toEqual({ version });
  });
});

describe('listen after `secret --rotate` in another terminal', () => {
  it('says the development secret changed since it started, and that a restart picks it up', async () => {
    const home = tempConfigHome();
    expect((await runCli(['secret'], { env: { XDG_CONFIG_HOME: home } })).code).toBe(0);
    const cli = startCli(['listen', '--port', '0'], { env: { XDG_CONFIG_HOME: home } });
    try {
      await cli.url;
      expect((await runCli(['secret', '--rotate'], { env: { XDG_CONFIG_HOME: home } })).code).toBe(0);
      const note = await cli.stderr(/(note: the development secret in .* changed since this listener started.*)/);
      expect(note).toContain('restart listen to use it');
    } finally {
      cli.signal('SIGINT');
      await cli.exited;
    }
  });

  it('says nothing when it verifies with another secret than the development one', async () => {
    const home = tempConfigHome();
    await runCli(['secret'], { env: { XDG_CONFIG_HOME: home } });
    const env = { env: { XDG_CONFIG_HOME: home } };
    const other = startCli(['listen', '--port', '0', '--secret', 'not-the-dev-one'], env);
    // A listener on the development secret beside it, to know when the rotation has been seen.
    const dev = startCli(['listen', '--port', '0'], env);
    await Promise.all([other.url, dev.url]);
    await runCli(['secret', '--rotate'], env);
    await dev.stderr(/(changed since this listener started)/);
    other.signal('SIGINT');
    dev.signal('SIGINT');
    await dev.exited;
    expect((await other.exited).stderr).not.toContain('changed since this listener started');
  });
});
