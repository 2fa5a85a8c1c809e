import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../../base/errors.js';
import { describeFsError, errorCode } from '../../../base/files.js';
import { nearest, plural, printable } from '../../../base/text.js';
import { recallSaveDir } from '../../last-save.js';

/** The `--save` directory replay reads, and why that one (said on stderr). */
export interface SaveDir {
  path: string;
  why: string;
}

/** A capture file as `listen --save` names it (src/listen/save.ts captureName). */
export interface SavedCapture {
  name: string;
  path: string;
  type: string | null;
  id: string | null;
}

/** `20261129T101503.412Z-000042-message.updated-a056V7R7NmNRjl70.http`, or `…-000042-request.http`. */
const CAPTURE_NAME = /^\d{8}T\d{6}\.\d{3}Z-\d{6,}-(.+)\.http$/;

/** --from when given, else a project config's `save`, else where `listen --save` last saved (if it is still there), else ./captures. */
export async function chooseSaveDir(
  from: string | undefined,
  env: NodeJS.ProcessEnv,
  configSave?: { path: string; label: string },
): Promise<SaveDir> {
  if (from !== undefined) return { path: from, why: '--from' };
  if (configSave) return { path: configSave.path, why: `save in ${configSave.label}` };
  const last = await recallSaveDir(env);
  if (last === undefined) return { path: 'captures', why: 'the default: no `listen --save` remembered' };
  const when = last.at.toISOString().slice(0, 19).replace('T', ' ');
  if (await isDirectory(last.dir)) return { path: last.dir, why: `where \`listen --save\` last saved, ${when} UTC` };
  return { path: 'captures', why: `the default: ${printable(last.dir)}, where \`listen --save\` last saved, is gone` };
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}

/** The captures in the directory, oldest first: their names sort by arrival (stamp, then sequence), not mtime. */
export async function listCaptures(dir: SaveDir): Promise<SavedCapture[]> {
  let names: string[];
  try {
    names = await readdir(dir.path);
  } catch (error) {
    const how = errorCode(error) === 'ENOENT' ? 'does not exist' : `cannot be read: ${describeFsError(error)}`;
    throw new InputError(
      `no captures: ${printable(dir.path)} (${dir.why}) ${how}; name one with --from DIR, or run \`oblic-hooks listen --save DIR\` first`,
    );
  }
  const captures: SavedCapture[] = [];
  // libuv lists a directory sorted on Unix already; sorted here so that it holds wherever Node runs.
  for (const name of names.sort()) {
    const what = CAPTURE_NAME.exec(name)?.[1];
    if (what === undefined) continue;
    const dash = what.lastIndexOf('-');
    const labelled = what !== 'request' && dash > 0;
    captures.push({
      name,
      path: join(dir.path, name),
      type: labelled ? what.slice(0, dash) : null,
      id: labelled ? what.slice(dash + 1) : null,
    });
  }
  return captures;
}

/** The one line said when no capture in the directory has the event id: the directory and the ids nearest to it. */
export function noSuchEvent(id: string, dir: SaveDir, captures: readonly SavedCapture[]): InputError {
  const ids = [...new Set(captures.flatMap((c) => (c.id === null ? [] : [c.id])))];
  const where = `${printable(dir.path)} (${dir.why}; ${plural(captures.length, 'capture')})`;
  if (ids.length === 0) return new InputError(`no capture of event ${id} in ${where}`);
  // Ids are case-sensitive, nearest() folds case: compare folded, answer with the id as it is.
  const folded = nearest(
    id.toLowerCase(),
    ids.map((known) => known.toLowerCase()),
  );
  const near = folded === undefined ? undefined : ids.find((known) => known.toLowerCase() === folded);
  const newest = ids.slice(-3).reverse().join(', ');
  return new InputError(
    `no capture of event ${id} in ${where}; ${near ? `did you mean ${near}? ` : ''}newest: ${newest}`,
  );
}
