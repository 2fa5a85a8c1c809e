import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { isUtf8 } from 'node:buffer';
import { InputError } from '../base/errors.js';
import { describeFsError, readSmallFile } from '../base/files.js';
import { nearest } from '../base/text.js';
import { parseTarget } from '../wire/target.js';
import { parseTimeout } from './flags.js';

// Project defaults (issue 18): an oblic-hooks.config.json that says once what every command would
// otherwise repeat (--to, --secret-file, the port). Flags win over it, it wins over the environment,
// and the environment over built-in defaults. It is read by the commands that take its keys; each
// says on stderr which of its values it used (see cli/config-apply.ts).

export const CONFIG_NAME = 'oblic-hooks.config.json';

/** A config file is a few lines: anything larger is not one. */
const CONFIG_LIMIT = 64 * 1024;

export interface ConfigValues {
  to?: string;
  forwardTo?: string;
  port?: number;
  path?: string;
  /** Absolute: a relative path in the file is relative to the file's directory. */
  secretFile?: string;
  /** Absolute, as secretFile. */
  save?: string;
  deadline?: string;
}

export type ConfigKey = keyof ConfigValues;

export interface ProjectConfig {
  /** The file as the user would write it from here: `./oblic-hooks.config.json`, `../oblic-hooks.config.json`. */
  label: string;
  values: ConfigValues;
}

type Check = (value: unknown, key: string, dir: string) => string | number;

const text =
  (also?: (value: string, key: string) => void): Check =>
  (value, key) => {
    if (typeof value !== 'string' || value.trim() === '') throw new KeyProblem(`"${key}" must be a non-empty string`);
    also?.(value, key);
    return value;
  };

const pathIn: Check = (value, key, dir) => resolve(dir, text()(value, key, dir) as string);

const target = text((value, key) => void parseTarget(value, `"${key}"`));

/** Each key, and the check its value must pass: the same rules as the flag it stands for. */
const KEYS: Record<ConfigKey, Check> = {
  to: target,
  forwardTo: target,
  port: (value, key) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535)
      throw new KeyProblem(`"${key}" must be a number from 0 to 65535`);
    return value;
  },
  path: text((value, key) => {
    if (!value.startsWith('/')) throw new KeyProblem(`"${key}" "${value}" must start with /`);
  }),
  secretFile: pathIn,
  save: pathIn,
  deadline: text((value, key) => void parseTimeout(value, `"${key}"`)),
};

const NAMES = Object.keys(KEYS) as ConfigKey[];

/** A problem with one key: the file's name is put in front of it. */
class KeyProblem extends Error {}

/**
 * The project config: `explicit` (--config) when given, else the nearest oblic-hooks.config.json
 * from `cwd` upward. The search stops at the filesystem root and at the first directory that holds
 * `.git` (after looking there): a repository's defaults never come from a directory above it.
 */
export async function loadProjectConfig(
  explicit: string | undefined,
  cwd: string = process.cwd(),
): Promise<ProjectConfig | undefined> {
  const file = explicit === undefined ? findConfig(cwd) : resolve(cwd, explicit);
  if (file === undefined) return undefined;
  const label = explicit ?? labelOf(file, cwd);
  let bytes: Buffer;
  try {
    ({ bytes } = await readSmallFile(file, { limit: CONFIG_LIMIT }));
  } catch (error) {
    throw new InputError(`cannot read the config file ${label}: ${describeFsError(error)}`);
  }
  if (!isUtf8(bytes)) throw new InputError(`${label} is not UTF-8 text; save it as UTF-8 JSON`);
  return { label, values: parseConfig(bytes.toString('utf8'), label, dirname(file)) };
}

/** The nearest config file from `cwd` upward, or undefined. */
export function findConfig(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const file = join(dir, CONFIG_NAME);
    if (existsSync(file)) return file;
    if (existsSync(join(dir, '.git')) || dirname(dir) === dir) return undefined;
  }
}

/** The text of a config file as values, every key checked; `dir` is where relative paths start. */
export function parseConfig(source: string, label: string, dir: string): ConfigValues {
  const json = parseJson(source.replace(/^\uFEFF/, ''), label);
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new InputError(`${label} must hold one JSON object, e.g. {"to": "localhost:3000/webhooks"}`);
  const values: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(json)) {
    // "$schema" is what editors look for; it says nothing to this tool.
    if (key === '$schema') continue;
    if (key === 'secret')
      throw new InputError(
        `${label}: "secret" is refused: a secret does not belong in a file you may commit; name a file holding it with "secretFile", or set $OBLIC_WEBHOOK_SECRET`,
      );
    const check = Object.hasOwn(KEYS, key) ? KEYS[key as ConfigKey] : undefined;
    if (check === undefined) {
      const near = nearest(key, NAMES);
      throw new InputError(
        `${label}: "${key}" is not a key (${near ? `did you mean "${near}"?` : `the keys are ${NAMES.join(', ')}`})`,
      );
    }
    try {
      values[key] = check(value, key, dir);
    } catch (error) {
      if (error instanceof KeyProblem) throw new InputError(`${label}: ${error.message}`);
      // A flag's own check (parseTarget, parseTimeout) said it: the key goes in front when it did not.
      if (error instanceof InputError)
        throw new InputError(`${label}: ${error.message.startsWith(`"${key}"`) ? '' : `"${key}": `}${error.message}`);
      throw error;
    }
  }
  return values as ConfigValues;
}

/** JSON.parse, with a syntax error put as the line and column it is at (Node 20 says only the offset). */
function parseJson(source: string, label: string): unknown {
  try {
    return JSON.parse(source) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /at position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : source.length;
    const before = source.slice(0, offset).split('\n');
    const reason = message
      .replace(/ in JSON at position \d+.*$/, '')
      .replace(/^Unexpected end of JSON input$/, 'the JSON ends early');
    throw new InputError(
      `${label} is not valid JSON: line ${before.length}, column ${before.at(-1)!.length + 1}: ${reason}`,
    );
  }
}

/** A file found, relative to `cwd`: `./oblic-hooks.config.json`, `../../oblic-hooks.config.json`. */
function labelOf(file: string, cwd: string): string {
  const rel = relative(resolve(cwd), file);
  return rel.startsWith('..') ? rel : `.${sep}${rel}`;
}
