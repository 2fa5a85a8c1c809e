import type { Io, OutStream } from './io.js';

/**
 * The width help is wrapped to: $COLUMNS when set (as a shell exports it, or a user to choose), else
 * the terminal's; undefined when neither is known (a pipe), and help is left as written.
 */
export function helpWidth(io: Io, stream: OutStream): number | undefined {
  const columns = Number(io.env.COLUMNS);
  if (Number.isInteger(columns) && columns >= 20) return columns;
  return stream.isTTY === true && Number(stream.columns) >= 20 ? Number(stream.columns) : undefined;
}

/**
 * Wraps help text to `width`, the closing sections included (exit codes, examples, notes, which are
 * written at 100 columns). A paragraph of lines that start at the margin is joined and reflowed; an
 * indented line is wrapped on its own, its continuation lines indented to where its text starts
 * ("  130 interrupted…" continues under "interrupted"). An example command (`$ …`) is never broken,
 * so it can be copied as it is.
 */
export function wrapHelp(text: string, width: number): string {
  const out: string[] = [];
  let paragraph: string[] = [];
  const endParagraph = () => {
    if (paragraph.length > 0) out.push(...wrapLine(paragraph.join(' '), width, ''));
    paragraph = [];
  };
  for (const line of text.split('\n')) {
    if (line !== '' && !/^\s/.test(line) && !line.endsWith(':')) {
      paragraph.push(line);
      continue;
    }
    endParagraph();
    if (/^\s+\$ /.test(line) || line.length <= width) out.push(line);
    else out.push(...wrapLine(line, width, hangingIndent(line)));
  }
  endParagraph();
  return out.join('\n');
}

/** Where an indented line's text starts: after its term ("  --to <url>  ", "  130 "), else its indent. */
function hangingIndent(line: string): string {
  // A term and two spaces, or an exit code and one ("  130 interrupted").
  const term = /^(\s+\d+\s+)\S/.exec(line) ?? /^(\s+\S+(?: \S+)*?\s{2,})\S/.exec(line);
  const indent = term?.[1] ?? /^\s*/.exec(line)![0];
  return ' '.repeat(indent.length);
}

function wrapLine(line: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let rest = line;
  while (rest.length > width) {
    const cut = rest.lastIndexOf(' ', width);
    // A word longer than the line: leave it whole rather than break it.
    const at = cut > indent.length ? cut : rest.indexOf(' ', width);
    if (at === -1) break;
    lines.push(rest.slice(0, at).trimEnd());
    rest = indent + rest.slice(at + 1).trimStart();
  }
  lines.push(rest);
  return lines;
}
