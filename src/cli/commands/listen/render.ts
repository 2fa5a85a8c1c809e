import { isUtf8 } from 'node:buffer';
import type { ChalkInstance } from 'chalk';
import { isEventType, resourceOf } from '../../../oblic/events.js';
import { summarizeEvent } from '../../../oblic/summary.js';
import type { DuplicateOf, RequestRecord } from '../../../listen/record.js';
import { printable } from '../../../base/text.js';
import { formatBytes, formatMs } from '../../../base/text.js';
import { paintResource, paintStatus } from '../../paint.js';

export interface RenderOptions {
  verbose: boolean;
  headers: boolean;
  /** Where each secret came from, #1 first: with several, a verified row says which matched (issue 13, item 17). */
  secretOrigins?: readonly string[];
}

/**
 * The NDJSON line of `listen --json`; `verify` reads it back as a capture. Written out piece by
 * piece rather than as JSON.stringify of an object: under load this line was the largest cost of a
 * request after the HMAC (JSON.stringify of a 1 kB body string alone costs more than the escaping
 * done here). A property test holds it to JSON.stringify of the same value, byte for byte.
 */
export function toJsonLine(record: RequestRecord): string {
  const inspection = record.inspection;
  const verdict = inspection?.verdict;
  const event = inspection?.event;
  const body =
    record.body === null
      ? '"body":null'
      : isUtf8(record.body)
        ? `"body":${utf8JsonText(record.body.toString('utf8'))}`
        : `"body_base64":"${record.body.toString('base64')}"`;
  return (
    `{"received_at":"${isoTime(record.receivedAt)}","method":${JSON.stringify(record.method)},"path":${JSON.stringify(record.path)},` +
    `"headers":${headersJson(record.headers)},${body},"verified":${verdict?.verified ?? false},"reason":${verdict?.reason ? `"${verdict.reason}"` : 'null'},` +
    `"matched_secret":${typeof verdict?.matchedSecret === 'number' ? `{"index":${verdict.matchedSecret}}` : 'null'},` +
    `"event":${event ? `{"id":${JSON.stringify(event.id)},"type":${JSON.stringify(event.type)}}` : 'null'},` +
    `"event_error":${inspection?.eventError ? JSON.stringify(inspection.eventError) : 'null'},"status":${record.status},` +
    `"forward":${record.forward ? JSON.stringify({ status: record.forward.status, ms: round(record.forward.ms) }) : 'null'},` +
    `"duplicate_of":${duplicateJson(record.duplicateOf)}}`
  );
}

/** `{"received_at":…,"same_bytes":…}`: when the first delivery of the event id came, and whether its body was this one. */
function duplicateJson(repeat: DuplicateOf | null | undefined): string {
  if (!repeat) return 'null';
  // Its own cache: the first delivery's time, asked for between the times of every later one.
  const time = repeat.receivedAt.getTime();
  if (time !== lastFirstTime) {
    lastFirstTime = time;
    lastFirstIso = repeat.receivedAt.toISOString();
  }
  return `{"received_at":"${lastFirstIso}","same_bytes":${repeat.sameBytes}}`;
}
let lastFirstTime = NaN;
let lastFirstIso = '';

/** Header names lower-cased; a repeated header becomes an array of its values, in order. */
function headerObject(pairs: ReadonlyArray<readonly [string, string]>): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = Object.create(null); // a header named __proto__ is a header
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    const seen = headers[key];
    headers[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return headers;
}

function headersJson(pairs: ReadonlyArray<readonly [string, string]>): string {
  // Repeated names need merging, and names that are numbers go first in an object's keys: both
  // rare, both left to the object. Otherwise each pair is written as it comes.
  const names = pairs.map(([name]) => name.toLowerCase());
  if (new Set(names).size !== names.length || names.some((name) => /^\d/.test(name)))
    return JSON.stringify(headerObject(pairs));
  let out = '{';
  for (let i = 0; i < pairs.length; i++)
    out += `${i === 0 ? '' : ','}${JSON.stringify(names[i])}:${JSON.stringify(pairs[i]![1])}`;
  return `${out}}`;
}

// Only quotes, backslashes, control characters and lone surrogates need escaping in JSON, and a
// string decoded from valid UTF-8 has no lone surrogate. A body usually has quotes and nothing else.
const NEEDS_ESCAPE_BUT_QUOTES = /[\\\x00-\x1f]/;
function utf8JsonText(text: string): string {
  return NEEDS_ESCAPE_BUT_QUOTES.test(text) ? JSON.stringify(text) : `"${text.replaceAll('"', '\\"')}"`;
}

// Requests under load arrive many to a millisecond: the time's text is made once per millisecond.
let lastTime = NaN;
let lastIso = '';
function isoTime(date: Date): string {
  const time = date.getTime();
  if (time !== lastTime) {
    lastTime = time;
    lastIso = date.toISOString();
  }
  return lastIso;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * `10:15:03.412  message.updated  a056V7R7NmNRjl70  ✔ verified`, then a summary line and extras.
 * Every request that was read carries its verdict, event or not, rejected or not (issue 13, item 19);
 * only one refused before its body was read (method, path, size) has none to show.
 */
export function renderRecord(c: ChalkInstance, record: RequestRecord, options: RenderOptions): string {
  const time = c.dim(record.receivedAt.toISOString().slice(11, 23));
  const inspection = record.inspection;
  // Parsed once for the row: the event's summary and -v's pretty body both read it.
  const json = record.body !== null && (options.verbose || inspection?.event) ? parseJson(record.body) : NOT_PARSED;
  const what = `${printable(record.method, 12)} ${printable(record.path, 60)}`;
  if (!inspection) {
    const detail = record.refusal
      ? c.yellow(`${record.status} ${printable(record.refusal, 120)}`)
      : c.dim(`${formatBytes(record.size)}${previewOf(record.body)}`);
    return [`${time}  ${c.bold(what)}  ${detail}`, ...extras(c, record, options, json)].join('\n');
  }
  const event = inspection.event;
  const lines: string[] = [];
  if (event) {
    const type = printable(event.type, 40);
    const painted = isEventType(event.type)
      ? paintResource(c, resourceOf(event.type), type.padEnd(20))
      : type.padEnd(20);
    lines.push(
      `${time}  ${painted}  ${c.dim(printable(event.id, 24))}  ${badge(c, record, options)}${answered(c, record)}${repeatMark(c, record.duplicateOf)}`,
    );
    lines.push(`              ${eventSummary(json)}`);
  } else {
    lines.push(`${time}  ${c.bold(what)}  ${badge(c, record, options)}${answered(c, record)}`);
    lines.push(`              ${c.dim(`${formatBytes(record.size)}${previewOf(record.body)}`)}`);
  }
  if (inspection.eventError)
    lines.push(
      `              ${c.yellow(`not a valid Oblic event: ${printable(inspection.eventError.message, 160)}`)}`,
    );
  if (!inspection.verdict.verified) {
    lines.push(`              ${c.red(inspection.verdict.message)}`);
    for (const hint of inspection.hints.slice(0, 3)) lines.push(`              ${c.yellow('hint:')} ${hint.message}`);
  }
  for (const note of inspection.notes) lines.push(`              ${c.dim(`note: ${printable(note, 200)}`)}`);
  return [...lines, ...extras(c, record, options, json)].join('\n');
}

/** What every row may add: a failed forward, the headers (--headers), the payload (-v). */
function extras(c: ChalkInstance, record: RequestRecord, options: RenderOptions, json: unknown): string[] {
  const lines: string[] = [];
  if (record.forward?.error) lines.push(`              ${c.red(`forward failed: ${record.forward.error.message}`)}`);
  if (record.failure) lines.push(`              ${c.red(`✘ ${printable(record.failure, 200)} → 500`)}`);
  if (options.headers)
    for (const [name, value] of record.headers)
      lines.push(`              ${c.cyan(printable(name, 60))}: ${printable(value, 200)}`);
  if (options.verbose && record.body) lines.push(indent(prettyBody(c, record.body, json), '              '));
  return lines;
}

function badge(c: ChalkInstance, record: RequestRecord, options: RenderOptions): string {
  const verdict = record.inspection!.verdict;
  if (verdict.verified) {
    const origins = options.secretOrigins ?? [];
    const index = verdict.matchedSecret;
    const which =
      origins.length > 1 && index !== null ? c.dim(`  with secret #${index + 1} (${origins[index] ?? '?'})`) : '';
    return c.green('✔ verified') + which;
  }
  if (verdict.reason === 'missing_signature') return c.yellow('○ unsigned');
  return c.red(`✘ invalid signature (${verdict.reason === 'mismatch' ? 'mismatch' : 'malformed'})`);
}

/** `  ↻ duplicate of 10:15:03.412 (same bytes)`, or `(same id, different bytes)`; nothing for a first delivery. */
function repeatMark(c: ChalkInstance, repeat: DuplicateOf | null | undefined): string {
  if (!repeat) return '';
  const first = repeat.receivedAt.toISOString().slice(11, 23);
  // Different bytes under one id is the odder case: an event is not supposed to change.
  return repeat.sameBytes
    ? `  ${c.cyan(`↻ duplicate of ${first} (same bytes)`)}`
    : `  ${c.yellow(`↻ duplicate of ${first} (same id, different bytes)`)}`;
}

/** The status answered, when it is not the plain default, and the app's answer when forwarding. */
function answered(c: ChalkInstance, record: RequestRecord): string {
  if (record.forward) {
    const { error } = record.forward;
    // The listener's own 502/504 says what went wrong; `down` only when nothing answered (issue 13, item 7).
    const status = error ? c.red(`${error.label} → ${record.status}`) : paintStatus(c, record.status);
    return `  ${c.dim('app')} ${status} ${c.dim(formatMs(record.forward.ms))}`;
  }
  return record.status === 200 ? '' : `  ${c.dim('→')} ${paintStatus(c, record.status)}`;
}

/** A body that is not JSON, or was not parsed: it has no summary, and -v shows it as text. */
const NOT_PARSED = Symbol('not parsed');

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return NOT_PARSED;
  }
}

function eventSummary(json: unknown): string {
  if (json === NOT_PARSED) return '';
  try {
    const event = json as { type: string; payload: unknown };
    return summarizeEvent(event.type, event.payload);
  } catch {
    return '';
  }
}

function previewOf(body: Buffer | null): string {
  if (!body || body.length === 0) return '';
  const text = isUtf8(body) ? body.subarray(0, 200).toString('utf8') : null;
  return text === null ? ' · binary' : ` · ${printable(text.replace(/\s+/g, ' '), 60)}`;
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((line) => by + line)
    .join('\n');
}

/** The body pretty-printed, with JSON (`json`, parsed from it) coloured by kind; a body that is not JSON is shown as text. */
function prettyBody(c: ChalkInstance, body: Buffer, json: unknown): string {
  if (json === NOT_PARSED)
    return isUtf8(body) ? printable(body.toString('utf8'), 4000) : c.dim(`(${body.length} bytes, not text)`);
  return highlight(c, json, '', 0);
}

/** Deeper than this a body is shown as `[…]`: JSON.parse takes 100,000 levels, a recursion does not (issue 13, item 1). */
const MAX_DEPTH = 32;

function highlight(c: ChalkInstance, value: unknown, pad: string, depth: number): string {
  if (value === null) return c.dim('null');
  if (typeof value === 'string') return c.green(printable(JSON.stringify(value), 400));
  if (typeof value === 'number' || typeof value === 'boolean') return c.yellow(String(value));
  const inner = `${pad}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (depth >= MAX_DEPTH) return c.dim(`[… nested deeper than ${MAX_DEPTH} levels]`);
    return `[\n${value.map((item) => inner + highlight(c, item, inner, depth + 1)).join(',\n')}\n${pad}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  if (depth >= MAX_DEPTH) return c.dim(`{… nested deeper than ${MAX_DEPTH} levels}`);
  return `{\n${entries.map(([key, item]) => `${inner}${c.cyan(printable(JSON.stringify(key), 80))}: ${highlight(c, item, inner, depth + 1)}`).join(',\n')}\n${pad}}`;
}
