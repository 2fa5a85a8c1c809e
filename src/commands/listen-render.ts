import { isUtf8 } from 'node:buffer';
import type { ChalkInstance } from 'chalk';
import { isEventType, resourceOf } from '../events.js';
import { summarizeEvent } from '../format.js';
import type { RequestRecord } from '../server.js';
import { printable } from '../text.js';
import { formatBytes, formatMs } from '../text.js';
import { paintResource } from './events.js';

export interface RenderOptions {
  verbose: boolean;
  headers: boolean;
}

/** The NDJSON line of `listen --json`; `verify` reads it back as a capture. */
export function toJsonLine(record: RequestRecord): string {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of record.headers) {
    const key = name.toLowerCase();
    const seen = headers[key];
    headers[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  const verdict = record.inspection?.verdict;
  const body = record.body === null ? { body: null } : isUtf8(record.body) ? { body: record.body.toString('utf8') } : { body_base64: record.body.toString('base64') };
  return JSON.stringify({
    received_at: record.receivedAt.toISOString(),
    method: record.method,
    path: record.path,
    headers,
    ...body,
    verified: verdict?.verified ?? false,
    reason: verdict?.reason ?? null,
    event: record.inspection?.event ?? null,
    status: record.status,
    forward: record.forward ? { status: record.forward.status, ms: round(record.forward.ms) } : null,
  });
}

const round = (ms: number) => Math.round(ms * 100) / 100;


/** `10:15:03.412  message.updated  a056V7R7NmNRjl70  ✔ verified`, then a summary line and extras. */
export function renderRecord(c: ChalkInstance, record: RequestRecord, options: RenderOptions): string {
  const time = c.dim(record.receivedAt.toISOString().slice(11, 23));
  const event = record.inspection?.event;
  const lines: string[] = [];
  if (!event || record.refusal) {
    const what = `${printable(record.method, 12)} ${printable(record.path, 60)}`;
    const detail = record.refusal ? c.yellow(`${record.status} ${printable(record.refusal, 120)}`) : c.dim(`${formatBytes(record.size)}${previewOf(record.body)}`);
    lines.push(`${time}  ${c.bold(what)}  ${detail}`);
  } else {
    const type = printable(event.type, 40);
    const painted = isEventType(event.type) ? paintResource(c, resourceOf(event.type), type.padEnd(20)) : type.padEnd(20);
    lines.push(`${time}  ${painted}  ${c.dim(printable(event.id, 24))}  ${badge(c, record)}${answered(c, record)}`);
    lines.push(`              ${summarize(record)}`);
  }
  const verdict = record.inspection?.verdict;
  if (verdict && !verdict.verified && event && !record.refusal) {
    lines.push(`              ${c.red(verdict.message)}`);
    for (const hint of record.inspection!.hints.slice(0, 3)) lines.push(`              ${c.yellow('hint:')} ${hint.message}`);
  }
  if (record.forward?.error) lines.push(`              ${c.red(`forward failed: ${record.forward.error.message}`)}`);
  if (options.headers) for (const [name, value] of record.headers) lines.push(`              ${c.cyan(printable(name, 60))}: ${printable(value, 200)}`);
  if (options.verbose && record.body) lines.push(indent(prettyBody(c, record.body), '              '));
  return lines.join('\n');
}

function badge(c: ChalkInstance, record: RequestRecord): string {
  const verdict = record.inspection!.verdict;
  if (verdict.verified) return c.green('✔ verified');
  if (verdict.reason === 'missing_signature') return c.yellow('○ unsigned');
  return c.red(`✘ invalid signature (${verdict.reason === 'mismatch' ? 'mismatch' : 'malformed'})`);
}

/** The status answered, when it is not the plain default, and the app's answer when forwarding. */
function answered(c: ChalkInstance, record: RequestRecord): string {
  if (record.forward) {
    const status = record.forward.status === null ? c.red('app down → 502') : paintStatus(c, record.forward.status);
    return `  ${c.dim('app')} ${status} ${c.dim(formatMs(record.forward.ms))}`;
  }
  return record.status === 200 ? '' : `  ${c.dim('→')} ${paintStatus(c, record.status)}`;
}

function paintStatus(c: ChalkInstance, status: number): string {
  return (status >= 500 ? c.red : status >= 300 ? c.yellow : c.green)(String(status));
}

function summarize(record: RequestRecord): string {
  try {
    const event = JSON.parse(record.body!.toString('utf8')) as { type: string; payload: unknown };
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
  return text.split('\n').map((line) => by + line).join('\n');
}

/** The body pretty-printed, with JSON coloured by kind; a body that is not JSON is shown as text. */
export function prettyBody(c: ChalkInstance, body: Buffer): string {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return isUtf8(body) ? printable(body.toString('utf8'), 4000) : c.dim(`(${body.length} bytes, not text)`);
  }
  return highlight(c, value, '');
}

function highlight(c: ChalkInstance, value: unknown, pad: string): string {
  if (value === null) return c.dim('null');
  if (typeof value === 'string') return c.green(printable(JSON.stringify(value), 400));
  if (typeof value === 'number' || typeof value === 'boolean') return c.yellow(String(value));
  const inner = `${pad}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => inner + highlight(c, item, inner)).join(',\n')}\n${pad}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([key, item]) => `${inner}${c.cyan(printable(JSON.stringify(key), 80))}: ${highlight(c, item, inner)}`).join(',\n')}\n${pad}}`;
}
