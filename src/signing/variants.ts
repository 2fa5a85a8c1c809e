import type { Hint } from './diagnose.js';

/** A value tried for hints, and why it is not what was received (null: it is). */
export interface Variant<T> {
  value: T;
  note: Hint | null;
}

/** Each variant is a copy of the body hashed again: past this size only the body as is is tried. */
const VARIANT_LIMIT = 1024 * 1024;
const BOM = '\xef\xbb\xbf';
const RESERIALIZED =
  'the bytes you have are not the bytes that were signed: verify the raw body as received, before any JSON parsing';
const NEWLINE_LOST = '(the capture lost it after signing?)';

/** `indent` → the body re-serialized as JSON (latin1, byte for byte), or null when it is not JSON. */
type Reserialize = (indent: number) => string | null;

interface Transform {
  code: string;
  message: string;
  /** The body changed (latin1 text, one char per byte), or null when the change does not apply. */
  apply: (text: string, json: Reserialize) => string | null;
}

const unless = (text: string, changed: string): string | null => (changed === text ? null : changed);
const FORMS = [
  [0, 'compact JSON'],
  [2, 'JSON indented by 2 spaces'],
  [4, 'JSON indented by 4 spaces'],
] as const;

/**
 * In order, plainest first: the first explanation of a given byte sequence wins (a compact
 * re-serialization of "{…}\n" is also "the body without its trailing newline").
 */
const TRANSFORMS: readonly Transform[] = [
  {
    code: 'trailing_newline_added',
    message: 'the body without its trailing newline (one was added after signing: an editor, echo, a proxy?)',
    apply: (text) => unless(text, text.replace(/(\r\n|\r|\n)$/, '')),
  },
  {
    code: 'trailing_newline_removed',
    message: `the body with a trailing newline (LF) added back ${NEWLINE_LOST}`,
    apply: (text) => (/[\r\n]$/.test(text) ? null : `${text}\n`),
  },
  {
    code: 'trailing_newline_removed',
    message: `the body with a trailing CRLF added back ${NEWLINE_LOST}`,
    apply: (text) => (/[\r\n]$/.test(text) ? null : `${text}\r\n`),
  },
  {
    code: 'line_endings',
    message: 'the body with CRLF line endings turned into LF (line endings were converted after signing)',
    apply: (text) => unless(text, text.replaceAll('\r\n', '\n')),
  },
  {
    code: 'line_endings',
    message: 'the body with LF line endings turned into CRLF (line endings were converted after signing)',
    apply: (text) => (/(^|[^\r])\n/.test(text) ? text.replace(/\r?\n/g, '\r\n') : null),
  },
  {
    code: 'bom',
    message: 'the body without the UTF-8 byte order mark at its start (it was added after signing)',
    apply: (text) => (text.startsWith(BOM) ? text.slice(3) : null),
  },
  {
    code: 'bom',
    message: 'the body with a UTF-8 byte order mark at its start (the capture dropped it)',
    apply: (text) => (text.startsWith(BOM) ? null : BOM + text),
  },
  ...FORMS.map(
    ([indent, how]): Transform => ({
      code: 'reserialized',
      message: `the body re-serialized as ${how} (${RESERIALIZED})`,
      apply: (_text, json) => json(indent),
    }),
  ),
  // Re-serialized and a newline lost, together (issue 13, item 18): e.g. signed as `JSON.stringify(x) + "\n"`.
  ...FORMS.map(
    ([indent, how]): Transform => ({
      code: 'reserialized+trailing_newline_removed',
      message: `the body re-serialized as ${how} with a trailing newline (LF) (${RESERIALIZED})`,
      apply: (_text, json) => {
        const value = json(indent);
        return value === null ? null : `${value}\n`;
      },
    }),
  ),
];

/**
 * The body as received, then what it may have been when it was signed. Built one at a time, so a
 * caller that runs out of budget builds no more; a variant that cannot be built (JSON nested too deep
 * to re-serialize: issue 13, item 1) is skipped and named in `skipped`.
 */
export function* bodyVariants(body: Buffer, skipped: Set<string>): Generator<Variant<Buffer>> {
  yield { value: body, note: null };
  if (body.length > VARIANT_LIMIT) {
    skipped.add('the body is over 1 MiB, so only the body as it is was tried');
    return;
  }
  const text = body.toString('latin1'); // byte-preserving: each byte is one char and back
  const json = reserializer(body);
  const seen = new Set([text]);
  for (const transform of TRANSFORMS) {
    let value: string | null;
    try {
      value = transform.apply(text, json);
    } catch (error) {
      skipped.add(
        `a variant of the body could not be built (${error instanceof Error ? error.message : String(error)})`,
      );
      continue;
    }
    if (value === null || seen.has(value)) continue;
    seen.add(value);
    yield { value: Buffer.from(value, 'latin1'), note: { code: transform.code, message: transform.message } };
  }
}

/** Parses the body once, on first use, and re-serializes it once per indent. */
function reserializer(body: Buffer): Reserialize {
  let parsed: { value: unknown } | null | undefined;
  let failure: unknown;
  const forms = new Map<number, string>();
  return (indent) => {
    parsed ??= parseJson(body);
    if (parsed === null) return null;
    // JSON.stringify recurses: a deeply nested body throws, once (a stack overflow is not cheap), and
    // the caller skips every re-serialized variant.
    if (failure !== undefined) throw failure;
    let form = forms.get(indent);
    if (form === undefined) {
      try {
        form = Buffer.from(JSON.stringify(parsed.value, null, indent), 'utf8').toString('latin1');
      } catch (error) {
        failure = error;
        throw error;
      }
      forms.set(indent, form);
    }
    return form;
  };
}

function parseJson(body: Buffer): { value: unknown } | null {
  try {
    return { value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body)) };
  } catch {
    return null;
  }
}
