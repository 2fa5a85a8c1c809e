// The ways one event can be written as JSON that all mean the same event, for `accepts-exact-bytes`
// (issue 15). An endpoint that verifies the raw bytes accepts every one; one that verifies a
// re-serialized body (`JSON.stringify(req.body)`, `json.dumps(data)`, PHP's `json_encode`, Go's
// `json.Marshal`) computes its MAC over other bytes than were signed, and refuses some of them.

export interface Writing {
  /** What is unusual about these bytes, for the report. */
  label: string;
  /** Which re-serializers write it differently, for the report. */
  change: string;
  write(event: unknown): string;
}

interface Style {
  colon: string;
  comma: string;
  /** Spaces per level, 0 for none (and no line breaks). */
  indent: number;
  reverseKeys: boolean;
  string(text: string): string;
  number(n: number): string;
}

const PLAIN: Style = {
  colon: ':',
  comma: ',',
  indent: 0,
  reverseKeys: false,
  string: (text) => JSON.stringify(text),
  number: (n) => JSON.stringify(n),
};

const styled =
  (style: Partial<Style>) =>
  (event: unknown): string =>
    writeJson(event, { ...PLAIN, ...style }, 0);

/** Every non-ASCII UTF-16 unit as `\uXXXX`: an emoji becomes its surrogate pair, as `ensure_ascii` writes it. */
function escapeNonAscii(text: string): string {
  return JSON.stringify(text).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export const WRITINGS: readonly Writing[] = [
  {
    label: 'non-ASCII text as raw UTF-8',
    change: 'é, 👋 and 日本語 as UTF-8 bytes (Python json.dumps writes \\u escapes; Go escapes <, > and &)',
    write: styled({}),
  },
  {
    label: 'non-ASCII text as \\u escapes',
    change: 'é as \\u00e9 and 👋 as \\ud83d\\udc4b (JSON.stringify writes them raw)',
    write: styled({ string: escapeNonAscii }),
  },
  {
    label: 'slashes escaped as \\/',
    change: 'every / written \\/, as PHP json_encode does (JSON.stringify writes /)',
    write: styled({ string: (text) => JSON.stringify(text).replaceAll('/', '\\/') }),
  },
  {
    label: 'a space after every : and ,',
    change: 'written with ": " and ", ", as Python json.dumps does by default',
    write: styled({ colon: ': ', comma: ', ' }),
  },
  {
    label: 'indented over several lines',
    change: 'pretty-printed with two spaces (JSON.stringify writes one compact line)',
    write: styled({ indent: 2 }),
  },
  {
    label: 'keys in another order',
    change: 'every object with its keys reversed (a struct or sort_keys re-serializer puts them back)',
    write: styled({ reverseKeys: true }),
  },
  {
    label: 'a trailing newline',
    change: 'the JSON followed by "\\n" (a re-serializer drops it)',
    write: (event) => `${JSON.stringify(event)}\n`,
  },
  {
    label: 'whole numbers as 1.0',
    change: 'every whole number written with ".0" (JSON.stringify writes 1767225600.0 as 1767225600)',
    write: styled({ number: (n) => (Number.isInteger(n) ? `${n}.0` : JSON.stringify(n)) }),
  },
  {
    label: 'numbers with an exponent',
    change: 'every whole number in exponent form, e.g. 1e3 for 1000 (JSON.stringify writes 1000)',
    write: styled({
      number: (n) => (Number.isInteger(n) ? n.toExponential().replace('e+', 'e') : JSON.stringify(n)),
    }),
  },
];

/** JSON as `style` writes it; `value` is what JSON.parse gives (no undefined, no functions). */
function writeJson(value: unknown, style: Style, depth: number): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return style.number(value);
  if (typeof value === 'string') return style.string(value);
  const items = Array.isArray(value)
    ? value.map((item) => writeJson(item, style, depth + 1))
    : (style.reverseKeys ? Object.entries(value as object).reverse() : Object.entries(value as object)).map(
        ([key, item]) => `${style.string(key)}${style.colon}${writeJson(item, style, depth + 1)}`,
      );
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (items.length === 0) return `${open}${close}`;
  if (style.indent === 0) return `${open}${items.join(style.comma)}${close}`;
  const pad = (level: number) => `\n${' '.repeat(style.indent * level)}`;
  return `${open}${pad(depth + 1)}${items.join(`,${pad(depth + 1)}`)}${pad(depth)}${close}`;
}
