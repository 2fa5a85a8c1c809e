// Shell completion (issue 18): the bash script, run by a real bash without bash-completion, completes
// command lines as a user's Tab would; the zsh and fish scripts are checked as text (neither shell is
// installed here, and tests install nothing).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../src/oblic/events.js';
import { BUILTIN_SCENARIOS } from '../src/scenario/builtins.js';
import { buildProgram } from '../src/cli/main.js';
import { runCli, spawnCli } from './helpers/cli.js';

const run = promisify(execFile);
const SCENARIOS = BUILTIN_SCENARIOS.map((scenario) => scenario.name);
let script: string;
let cwd: string;

beforeAll(async () => {
  const printed = await spawnCli(['completion', 'bash']);
  expect([printed.code, printed.stderr]).toEqual([0, '']);
  const dir = mkdtempSync(join(tmpdir(), 'oblic-hooks-completion-'));
  script = join(dir, 'oblic-hooks.bash');
  writeFileSync(script, printed.stdout);
  // The directory Tab lists files of: two captures, a scenario file and a folder.
  cwd = join(dir, 'work');
  mkdirSync(join(cwd, 'captures'), { recursive: true });
  for (const name of ['one.http', 'two.http', 'my.json']) writeFileSync(join(cwd, name), '');
});

// Sources the script in `bash --norc --noprofile` (so no bash-completion) and calls the function
// `complete -F` registered, as readline does: COMP_WORDS split as bash splits them (at spaces, and
// around an "="), the cursor at the end of the line. In a strict shell: unset variables are errors,
// and a glob that matches nothing vanishes.
const DRIVER = `set -u; shopt -s nullglob extglob; source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1))
COMP_LINE="$*"; COMP_POINT=\${#COMP_LINE}; COMPREPLY=()
_oblic_hooks oblic-hooks "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\\n' "\${COMPREPLY[@]}"`;

async function complete(line: string): Promise<string[]> {
  const words = line.replace(/=/g, ' = ').replace(/ = $/, ' =').split(' ');
  const { stdout } = await run('bash', ['--norc', '--noprofile', '-c', DRIVER, 'bash', script, ...words], {
    cwd,
    env: { PATH: process.env.PATH },
  });
  return stdout.split('\n').filter((word) => word !== '');
}

const sorted = (list: readonly string[]) => [...list].sort();

describe('oblic-hooks completion bash, in a real bash', () => {
  it('registers itself with complete -F, and needs nothing of bash-completion', async () => {
    const { stdout } = await run('bash', [
      '--norc',
      '--noprofile',
      '-c',
      'source "$1" && complete -p oblic-hooks',
      'bash',
      script,
    ]);
    expect(stdout).toBe('complete -F _oblic_hooks oblic-hooks\n');
    expect(await run('bash', ['-n', script])).toMatchObject({ stderr: '' });
    // bash-completion's helpers would be "command not found" without the package.
    expect(await import('node:fs').then((fs) => fs.readFileSync(script, 'utf8'))).not.toMatch(
      /_init_completion|_filedir|__ltrim/,
    );
  });

  it('oblic-hooks se → secret, send', async () => {
    expect(sorted(await complete('oblic-hooks se'))).toEqual(['secret', 'send']);
  });

  it('offers every command of the program, help and completion among them', async () => {
    const program = buildProgram({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: {} });
    const names = [...program.commands.map((command) => command.name()), 'help'];
    expect(names).toContain('completion');
    expect(sorted(await complete('oblic-hooks '))).toEqual(sorted(names));
  });

  it('oblic-hooks send mess → the resource, its glob escaped, and its three types', async () => {
    expect(await complete('oblic-hooks send mess')).toEqual([
      'message',
      'message.\\*',
      'message.created',
      'message.updated',
      'message.deleted',
    ]);
    const all = await complete('oblic-hooks send --to 3000 ');
    expect(all).toEqual(expect.arrayContaining(['all', ...EVENT_TYPES.map((info) => info.type)]));
  });

  it('the escaped glob reaches the program as message.* even beside a file it would match', async () => {
    writeFileSync(join(cwd, 'message.json'), '');
    const [glob] = await complete('oblic-hooks send message.');
    const { stdout } = await run('bash', ['--norc', '-c', `printf '%s\\n' ${glob}`], { cwd });
    expect(stdout).toBe('message.*\n');
  });

  it('oblic-hooks send --t → --to, --timeout, --time-scale', async () => {
    expect(sorted(await complete('oblic-hooks send --t'))).toEqual(['--time-scale', '--timeout', '--to']);
  });

  it('offers every flag of every command and subcommand after a "-"', async () => {
    const program = buildProgram({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: {} });
    const walk = (command: Command, path: string[]): Array<[string[], Command]> => [
      [path, command],
      ...command.commands.flatMap((sub) => walk(sub, [...path, sub.name()])),
    ];
    for (const [path, command] of walk(program, [])) {
      const offered = await complete(['oblic-hooks', ...path, '-'].join(' '));
      const flags = command.options
        .flatMap((option) => [option.short, option.long])
        .filter((name): name is string => name !== undefined);
      expect({ path, offered: sorted(offered) }).toEqual({ path, offered: sorted([...flags, '-h', '--help']) });
    }
  });

  it('scenario run and scenario show offer the built-in scenarios; run, files too', async () => {
    expect(await complete('oblic-hooks scenario show ')).toEqual(SCENARIOS);
    expect(sorted(await complete('oblic-hooks scenario run '))).toEqual(
      sorted([...SCENARIOS, 'captures', 'message.json', 'my.json', 'one.http', 'two.http']),
    );
    expect(await complete('oblic-hooks scenario run --seed 7 con')).toEqual(['conversation', 'contact']);
    expect(await complete('oblic-hooks scenario ')).toEqual(['list', 'show', 'run', 'help']);
  });

  it('verify, replay and sign complete file names of the working directory', async () => {
    expect(await complete('oblic-hooks verify t')).toEqual(['two.http']);
    expect(sorted(await complete('oblic-hooks replay --to 3000 one.http '))).toContain('two.http');
    expect(await complete('oblic-hooks sign o')).toEqual(['one.http']);
    // sign takes one file: nothing after it.
    expect(await complete('oblic-hooks sign one.http ')).toEqual([]);
  });

  it('a flag that takes a file completes file names, "--flag f" and "--flag=f"; --save a directory', async () => {
    expect(await complete('oblic-hooks send --secret-file o')).toEqual(['one.http']);
    expect(await complete('oblic-hooks listen --secret-file=tw')).toEqual(['two.http']);
    expect(await complete('oblic-hooks check --junit m')).toEqual(['message.json', 'my.json']);
    expect(await complete('oblic-hooks send --data m')).toEqual(['message.json', 'my.json']);
    expect(await complete('oblic-hooks listen --save ')).toEqual(['captures']);
  });

  it('a flag that takes text completes nothing (no file names for --to or listen --path)', async () => {
    expect(await complete('oblic-hooks send --to ')).toEqual([]);
    expect(await complete('oblic-hooks listen --path ')).toEqual([]);
    expect(await complete('oblic-hooks send --to o')).toEqual([]);
  });

  it('listen --events takes types and globs, in a comma list too', async () => {
    expect(await complete('oblic-hooks listen --events group.')).toEqual([
      'group.\\*',
      'group.created',
      'group.updated',
      'group.deleted',
    ]);
    expect(await complete('oblic-hooks listen --events message.*,contact.d')).toEqual(['message.*,contact.deleted']);
  });

  it('schema takes one event type, help a command, completion a shell', async () => {
    expect(await complete('oblic-hooks schema group')).toEqual(['group.created', 'group.updated', 'group.deleted']);
    expect(sorted(await complete('oblic-hooks help sc'))).toEqual(['scenario', 'schema']);
    expect(await complete('oblic-hooks scenario help r')).toEqual(['run']);
    expect(await complete('oblic-hooks completion ')).toEqual(['bash', 'zsh', 'fish']);
  });

  it('walks past global flags and flag values to find the command', async () => {
    expect(sorted(await complete('oblic-hooks --no-color se'))).toEqual(['secret', 'send']);
    expect(await complete('oblic-hooks send --to scenario mess')).toContain('message.created');
  });
});

/**
 * The words that open and close blocks, counted where a statement starts (after a newline or a ";"),
 * outside the lines of data (word lists, `complete` lines): a script whose counts differ does not parse.
 */
function balance(text: string, open: string, close: string): [number, number] {
  const code = text
    .split('\n')
    .filter((line) => !/^\s*(#|subs=|opts=|vals=|args=|\(?\w+\) list=|complete )/.test(line))
    .join('\n');
  const count = (word: string) => code.match(new RegExp(`(^|;|then|do)\\s*${word}\\b`, 'gm'))?.length ?? 0;
  return [count(open), count(close)];
}

describe('oblic-hooks completion zsh and fish (as text: neither shell is installed here)', () => {
  it('zsh: a #compdef function for $fpath that also registers itself when sourced', async () => {
    const { code, stdout } = await runCli(['completion', 'zsh']);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('#compdef oblic-hooks');
    expect(stdout).toMatch(/^_oblic-hooks\(\) \{$/m);
    expect(stdout).toContain('if [[ $funcstack[1] == _oblic-hooks ]]; then');
    expect(stdout).toContain('compdef _oblic-hooks oblic-hooks');
    // Commands and flags with their descriptions, as _describe takes them; globs quoted.
    expect(stdout).toContain(
      "'send:build realistic sample events, sign them as Oblic does and POST them to your endpoint'",
    );
    expect(stdout).toContain("'--secret-file:read the secret from a file (one trailing newline is ignored)'");
    expect(stdout).toMatch(/vals=\([^)]*--secret-file files[^)]*--events types/);
    expect(stdout).toContain("'message.*'");
    expect(stdout).toContain(`list=(${SCENARIOS.map((name) => `'${name}'`).join(' ')})`);
    expect(stdout).toContain('(files) _files; return ;;');
    expect(balance(stdout, 'case', 'esac')).toEqual([2, 2]);
    expect(balance(stdout, 'if', 'fi')).toEqual([6, 6]);
  });

  it('fish: file names off but where a flag or argument takes a file, a condition per command path', async () => {
    const { code, stdout } = await runCli(['completion', 'fish']);
    expect(code).toBe(0);
    expect(stdout).toContain('complete -c oblic-hooks -f\n');
    expect(stdout).toContain(`complete -c oblic-hooks -n "__oblic_hooks_at ''" -a 'send' -d `);
    expect(stdout).toMatch(/-n "__oblic_hooks_at 'send'" -l secret-file -r -F -d /);
    expect(stdout).toMatch(/-n "__oblic_hooks_at 'check'" -l junit -r -F -d /);
    expect(stdout).toContain(`complete -c oblic-hooks -n "__oblic_hooks_at 'verify'" -F\n`);
    expect(stdout).toContain(
      `complete -c oblic-hooks -n "__oblic_hooks_at 'scenario run'" -F -a '${SCENARIOS.join(' ')}'\n`,
    );
    expect(stdout).toMatch(/-n "__oblic_hooks_at 'listen'" -l events -r -f -a 'all contact contact\.\\\* /);
    expect(stdout).toMatch(/-n "__oblic_hooks_at 'send'" -f -a 'all .*message\.created/);
    expect(balance(stdout, '(function|switch|for|if)', 'end')).toEqual([9, 9]);
  });
});

describe('oblic-hooks completion: help and errors', () => {
  it('--help has the install line for each shell, examples and exit codes', async () => {
    const { code, stdout } = await runCli(['completion', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('oblic-hooks completion bash > ~/.local/share/bash-completion/completions/oblic-hooks');
    expect(stdout).toContain('oblic-hooks completion zsh > ~/.zfunc/_oblic-hooks');
    expect(stdout).toContain('oblic-hooks completion fish > ~/.config/fish/completions/oblic-hooks.fish');
    expect(stdout).toContain('Examples:');
    expect(stdout).toContain('Exit codes: 0 the script was printed, 2 an unknown shell');
  });

  it('an unknown shell is exit 2 and one line naming the nearest', async () => {
    const { code, stdout, stderr } = await spawnCli(['completion', 'bsh']);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toBe('oblic-hooks: unknown shell "bsh"; did you mean bash? (completion takes bash, zsh or fish)\n');
    const far = await runCli(['completion', 'powershell']);
    expect([far.code, far.stderr]).toEqual([
      2,
      'oblic-hooks: unknown shell "powershell" (completion takes bash, zsh or fish)\n',
    ]);
  });
});
