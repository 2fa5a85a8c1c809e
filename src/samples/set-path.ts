import { InputError } from '../base/errors.js';

export interface Assignment {
  path: string[];
  value: unknown;
  raw: string;
}

/**
 * Parses `--set a.b.c=value`. The value is JSON when it parses as JSON (`42`, `null`, `[]`,
 * `"42"`), else the text as it is. Array elements are addressed by index: `payload.attachments.0.filename`.
 */
export function parseAssignment(raw: string): Assignment {
  const eq = raw.indexOf('=');
  if (eq <= 0) throw new InputError(`--set "${raw}" is not path=value; e.g. --set payload.message=hi`);
  const path = raw.slice(0, eq).trim().split('.');
  if (path.some((key) => key === ''))
    throw new InputError(`--set "${raw}" has an empty step in its path; e.g. payload.contact.username`);
  const text = raw.slice(eq + 1);
  let value: unknown = text;
  try {
    value = JSON.parse(text);
  } catch {
    // not JSON: the text itself
  }
  return { path, value, raw };
}

/** Applies an assignment in place. Every step but the last must exist; the last may add a field. */
export function applyAssignment(target: Record<string, unknown>, { path, value, raw }: Assignment): void {
  let node: unknown = target;
  for (let i = 0; i < path.length - 1; i++) {
    node = step(node, path[i]!);
    if (node === undefined || node === null || typeof node !== 'object') {
      const where = path.slice(0, i + 1).join('.');
      const what = node === undefined ? 'does not exist' : `is ${node === null ? 'null' : typeof node}, not an object`;
      throw new InputError(`--set "${raw}": ${where} ${what}`);
    }
  }
  const last = path[path.length - 1]!;
  if (Array.isArray(node)) {
    const index = arrayIndex(last);
    if (index === undefined || index > node.length) {
      throw new InputError(
        `--set "${raw}": ${path.slice(0, -1).join('.')} is an array of ${node.length}; use an index from 0 to ${node.length}`,
      );
    }
    node[index] = value;
  } else {
    (node as Record<string, unknown>)[last] = value;
  }
}

function step(node: unknown, key: string): unknown {
  if (Array.isArray(node)) {
    const index = arrayIndex(key);
    return index === undefined ? undefined : node[index];
  }
  return Object.hasOwn(node as object, key) ? (node as Record<string, unknown>)[key] : undefined;
}

function arrayIndex(key: string): number | undefined {
  return /^(0|[1-9]\d*)$/.test(key) ? Number(key) : undefined;
}
