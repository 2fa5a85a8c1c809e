import { stat } from 'node:fs/promises';
import { InputError } from '../../../base/errors.js';
import { formatCount, plural, printable } from '../../../base/text.js';
import { eventOf } from '../../../oblic/label.js';
import type { Capture } from '../../../wire/capture.js';
import type { Ui } from '../../io.js';
import { chooseSaveDir, listCaptures, noSuchEvent, type SaveDir, type SavedCapture } from './dir.js';
import { readCaptures } from './read.js';

/** What to replay: files and logs, event ids (looked up in the --save directory), the newest n there. */
export interface Wanted {
  args: readonly string[];
  last: number | undefined;
  from: string | undefined;
  /** A project config's `save` (already absolute), the default after --from. */
  configSave?: { path: string; label: string } | undefined;
  /** --events: only these types; undefined is every capture. */
  events: ReadonlySet<string> | undefined;
}

/** An event id as Oblic makes them: 16 letters and digits. */
const EVENT_ID = /^[A-Za-z0-9]{16}$/;

/**
 * The captures, in the order asked: each argument in turn (a file that exists wins over an id of the
 * same spelling), then --last's, oldest first. A saved capture asked twice is sent once.
 */
export async function gatherCaptures(wanted: Wanted, ui: Ui): Promise<Capture[]> {
  const out: Capture[] = [];
  const sent = new Set<string>();
  let dir: { at: SaveDir; captures: SavedCapture[] } | undefined;
  const saveDir = async () => {
    if (dir) return dir;
    const at = await chooseSaveDir(wanted.from, ui.io.env, wanted.configSave);
    dir = { at, captures: await listCaptures(at) };
    return dir;
  };
  // Said once, when the directory gives something to send: a failure's own line names it already.
  let said = false;
  const from = (at: SaveDir) => {
    if (!said) ui.say(`replaying from ${printable(at.path)} (${at.why})`);
    said = true;
  };
  const keep = (capture: Capture) =>
    wanted.events === undefined || wanted.events.has(eventOf(capture.body)?.type ?? '');
  for (const arg of wanted.args) {
    if (arg === '-' || !EVENT_ID.test(arg) || (await exists(arg))) {
      out.push(...(await readCaptures(arg, ui)).filter(keep));
      continue;
    }
    const { at, captures } = await saveDir();
    const found = await capturesOfEvent(arg, captures, ui);
    if (found.length === 0) throw noSuchEvent(arg, at, captures);
    from(at);
    for (const { saved, capture } of found) if (keep(capture) && once(sent, saved)) out.push(capture);
  }
  if (wanted.last !== undefined) {
    const { at, captures } = await saveDir();
    const newest = await newestCaptures(captures, wanted.last, wanted.events, ui);
    if (newest.length === 0) {
      const which = wanted.events ? `, of the types asked by --events,` : '';
      throw new InputError(`no captures${which} in ${printable(at.path)} (${at.why}) to replay with --last`);
    }
    from(at);
    const total = plural(captures.length, 'capture');
    const of = wanted.events ? `of the --events types (in ${total})` : `of ${total}`;
    if (newest.length < wanted.last)
      ui.say(
        `--last ${wanted.last}: only ${plural(newest.length, 'capture')} there${wanted.events ? ' of the --events types' : ''}`,
      );
    else ui.say(`--last ${wanted.last}: the newest ${formatCount(newest.length)} ${of}`);
    for (const { saved, capture } of newest) if (once(sent, saved)) out.push(capture);
  }
  if (wanted.from !== undefined && dir === undefined)
    ui.say('--from is not used: it names where --last and event ids are looked up, and neither was given');
  if (out.length === 0) {
    const events = wanted.events ? ` of the types --events asks for (${[...wanted.events].join(', ')})` : '';
    throw new InputError(`nothing to replay: no capture${events} in what was given`);
  }
  return out;
}

interface Found {
  saved: SavedCapture;
  capture: Capture;
}

/** The captures named for this id whose body says so too; one whose body is another event's is passed over, aloud. */
async function capturesOfEvent(id: string, captures: readonly SavedCapture[], ui: Ui): Promise<Found[]> {
  const found: Found[] = [];
  for (const saved of captures.filter((c) => c.id === id)) {
    const capture = await readOne(saved, ui);
    const actual = eventOf(capture.body)?.id ?? null;
    if (actual === id) found.push({ saved, capture });
    else ui.say(`${printable(saved.name)}: skipped: its body is ${actual ? `event ${printable(actual)}` : 'no event'}`);
  }
  return found;
}

/** The newest n captures (of the --events types), oldest of them first, by name: the order they arrived in. */
async function newestCaptures(
  captures: readonly SavedCapture[],
  n: number,
  events: ReadonlySet<string> | undefined,
  ui: Ui,
): Promise<Found[]> {
  const picked: Found[] = [];
  for (let i = captures.length - 1; i >= 0 && picked.length < n; i--) {
    const saved = captures[i]!;
    if (events !== undefined && !events.has(saved.type ?? '')) continue; // the name says its type: no read
    const capture = await readOne(saved, ui);
    if (events === undefined || events.has(eventOf(capture.body)?.type ?? '')) picked.push({ saved, capture });
  }
  return picked.reverse();
}

async function readOne(saved: SavedCapture, ui: Ui): Promise<Capture> {
  const [capture] = await readCaptures(saved.path, ui);
  if (capture === undefined) throw new InputError(`${printable(saved.path)}: not a capture`);
  return capture;
}

function once(sent: Set<string>, saved: SavedCapture): boolean {
  if (sent.has(saved.path)) return false;
  sent.add(saved.path);
  return true;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
