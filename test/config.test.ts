import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/base/errors.js';
import { CONFIG_NAME, findConfig, loadProjectConfig, parseConfig } from '../src/cli/config.js';

// The project config file (issue 18), in process: where it is found, and every way it is refused.

const LABEL = './oblic-hooks.config.json';

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'oblic-hooks-config-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function refusal(source: string): string {
  try {
    parseConfig(source, LABEL, '/project');
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).message;
  }
  throw new Error(`accepted: ${source}`);
}

describe('parseConfig() checks every key as the flag it stands for', () => {
  it('takes the seven keys, and resolves secretFile and save against the file’s directory', () => {
    const values = parseConfig(
      JSON.stringify({
        $schema: 'ignored',
        to: 'localhost:3000/webhooks',
        forwardTo: 'https://localhost:8443/hooks',
        port: 0,
        path: '/webhooks',
        secretFile: '.secrets/oblic',
        save: '/var/captures',
        deadline: '2s',
      }),
      LABEL,
      '/project',
    );
    expect(values).toEqual({
      to: 'localhost:3000/webhooks',
      forwardTo: 'https://localhost:8443/hooks',
      port: 0,
      path: '/webhooks',
      secretFile: '/project/.secrets/oblic',
      save: '/var/captures',
      deadline: '2s',
    });
  });

  it.each([
    ['{"prot": 4300}', `${LABEL}: "prot" is not a key (did you mean "port"?)`],
    [
      '{"colour": true}',
      `${LABEL}: "colour" is not a key (the keys are to, forwardTo, port, path, secretFile, save, deadline)`,
    ],
    ['{"port": "4300"}', `${LABEL}: "port" must be a number from 0 to 65535`],
    ['{"port": 65536}', `${LABEL}: "port" must be a number from 0 to 65535`],
    ['{"port": 42.5}', `${LABEL}: "port" must be a number from 0 to 65535`],
    ['{"to": 3000}', `${LABEL}: "to" must be a non-empty string`],
    ['{"to": "ftp://x"}', `${LABEL}: "to": "ftp://x" uses ftp; only http and https URLs can receive webhooks`],
    ['{"path": "webhooks"}', `${LABEL}: "path" "webhooks" must start with /`],
    ['{"deadline": "soon"}', `${LABEL}: "deadline" "soon" is not a duration; e.g. 500ms, 10s, 2m or 1.5h`],
    ['{"save": ""}', `${LABEL}: "save" must be a non-empty string`],
    ['["to"]', `${LABEL} must hold one JSON object, e.g. {"to": "localhost:3000/webhooks"}`],
  ])('%s is refused: %s', (source, message) => {
    expect(refusal(source)).toBe(message);
  });

  it('refuses a "secret" key and names the ways a secret is given instead', () => {
    const message = refusal('{"to": "3000", "secret": "whsec_x"}');
    expect(message).toMatch(/^\.\/oblic-hooks\.config\.json: "secret" is refused/);
    expect(message).toContain('"secretFile"');
    expect(message).toContain('$OBLIC_WEBHOOK_SECRET');
    expect(message).not.toContain('whsec_x');
  });

  it('names the line and column of a JSON syntax error', () => {
    expect(refusal('{\n  "to": "3000",\n  "port": 4300,\n}\n')).toMatch(
      /^\.\/oblic-hooks\.config\.json is not valid JSON: line 4, column 1: /,
    );
    expect(refusal('{\n  "to": "3000"')).toMatch(/is not valid JSON: line 2, column 15: /);
  });
});

describe('findConfig() looks from the current directory upward', () => {
  it('finds the nearest file, here or in a directory above', () => {
    const root = project({ [CONFIG_NAME]: '{}', 'a/b/.keep': '', [`a/${CONFIG_NAME}`]: '{}' });
    expect(findConfig(join(root, 'a', 'b'))).toBe(join(root, 'a', CONFIG_NAME));
    expect(findConfig(root)).toBe(join(root, CONFIG_NAME));
  });

  it('stops at the directory holding .git: a repository’s defaults never come from above it', () => {
    const root = project({ [CONFIG_NAME]: '{}', 'repo/.git/HEAD': 'ref: main', 'repo/src/.keep': '' });
    expect(findConfig(join(root, 'repo', 'src'))).toBeUndefined();
    writeFileSync(join(root, 'repo', CONFIG_NAME), '{}');
    expect(findConfig(join(root, 'repo', 'src'))).toBe(join(root, 'repo', CONFIG_NAME));
  });
});

describe('loadProjectConfig()', () => {
  it('labels a file found above as the path from here, and resolves its paths against its own directory', async () => {
    const root = project({ [CONFIG_NAME]: '{"save": "captures"}', 'app/.keep': '' });
    const config = await loadProjectConfig(undefined, join(root, 'app'));
    expect(config).toEqual({ label: '../oblic-hooks.config.json', values: { save: join(root, 'captures') } });
  });

  it('reads --config <file> relative to the current directory, named as typed', async () => {
    const root = project({ 'conf/dev.json': '{"port": 3790}' });
    expect(await loadProjectConfig('conf/dev.json', root)).toEqual({ label: 'conf/dev.json', values: { port: 3790 } });
    await expect(loadProjectConfig('conf/none.json', root)).rejects.toThrow(
      'cannot read the config file conf/none.json: no such file',
    );
  });

  it('refuses a file over 64 KiB without parsing it', async () => {
    const root = project({ [CONFIG_NAME]: `{"to": "3000"${' '.repeat(64 * 1024)}}` });
    await expect(loadProjectConfig(undefined, root)).rejects.toThrow(
      /^cannot read the config file \.\/oblic-hooks\.config\.json: it is 65,550 bytes, over the limit of 65,536 bytes/,
    );
  });

  it('is undefined with no file from here to the repository root', async () => {
    expect(await loadProjectConfig(undefined, project({ '.git/HEAD': '' }))).toBeUndefined();
  });
});
