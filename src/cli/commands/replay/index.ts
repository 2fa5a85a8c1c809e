import type { Command } from 'commander';
import { CAPTURE_PROBE, looksLikeCapture, notACapture, parseCaptures, type Capture } from '../../../wire/capture.js';
import { InputError, OblicHooksError } from '../../../base/errors.js';
import { eventOf } from '../../../oblic/label.js';
import { replayRequest, replayUrl } from '../../../wire/request.js';
import { hasExplicitPath, parseTarget } from '../../../wire/target.js';
import { MAX_INPUT_TEXT, parseIntFlag, parseTimeout, readBytes, useSecret, type UiFactory } from '../../flags.js';
import type { Ui } from '../../io.js';
import { lazy } from '../../lazy.js';

interface ReplayFlags {
  to: string;
  secret?: string;
  secretFile?: string;
  concurrency: number;
  timeout: string;
  retries: number;
  include?: boolean;
  json?: boolean;
}

const HELP = `
Sends captured requests again, byte for byte (headers in their order, duplicates kept), with their
original signature; with --secret or --secret-file they are re-signed with that secret instead.
Captures are what \`listen --save\` stores, raw HTTP requests, or \`listen --json\` output (a file of
such lines replays each line). Each file is read up to ${MAX_INPUT_TEXT}. The captured path and query are
kept unless --to gives a path; the host is always --to's.

Examples:
  $ oblic-hooks replay captures/*.http --to 3000
  $ oblic-hooks replay request.http --to localhost:3000/webhooks --secret-file .new-secret

Ctrl-C stops a run: what was sent so far is summed up and it exits 130.
Exit codes: 0 every delivery got a 2xx, 1 any did not (or nothing listened), 2 usage or unreadable
capture, 130 interrupted by Ctrl-C.`;

export function registerReplay(program: Command, ui: UiFactory): void {
  program
    .command('replay')
    .description('resend captured requests byte for byte, with their signature or re-signed')
    .argument('<captures...>', 'capture files (- for standard input)')
    .option('--to <url>', 'where to deliver: a URL, host:port, host or port', 'localhost')
    .option('--secret <secret>', 're-sign with this secret instead of keeping the captured signature')
    .option('--secret-file <path>', 're-sign with the secret in this file')
    .option('-c, --concurrency <n>', 'deliveries in flight at once', parseIntFlag('--concurrency', 1, 1024), 1)
    .option('--timeout <duration>', 'give up on a response after this long', '10s')
    .option('--retries <n>', 'retry network errors and 5xx this often', parseIntFlag('--retries', 0, 10), 0)
    .option('-i, --include', 'show the response headers')
    .option('--json', 'print one JSON object per delivery and nothing else on stdout')
    .addHelpText('after', HELP)
    .action(async (files: string[], opts: ReplayFlags) => {
      const u = await ui();
      const target = parseTarget(opts.to);
      const explicitPath = hasExplicitPath(opts.to);
      const timeoutMs = parseTimeout(opts.timeout);
      const captures: Capture[] = [];
      for (const file of files) captures.push(...(await readCaptures(file, u)));
      const resign = opts.secret !== undefined || opts.secretFile !== undefined;
      const secret = resign ? (await useSecret(u, opts, 're-signing')).secret : undefined;
      const bodies = captures.map((capture) => ({ ...labels(capture), bytes: capture.body, capture }));
      const { runDeliveries, checkDeliveries } = await lazy.deliveries();
      const summary = await runDeliveries(u, {
        url: target,
        total: captures.length,
        concurrency: opts.concurrency,
        timeoutMs,
        retries: opts.retries,
        json: opts.json === true,
        include: opts.include === true,
        listEach: captures.length <= 50,
        source: (index) => bodies[index]!,
        makeRequest: (body) => {
          const { capture } = body as (typeof bodies)[number];
          const url = explicitPath || capture.path === null ? target : replayUrl(target, capture.path);
          return replayRequest(url, capture.headers, capture.body, secret);
        },
      });
      checkDeliveries(summary, captures.length);
    });
}

/** The captures in a file: one, or one per line of a `listen --json` log. */
async function readCaptures(file: string, ui: Ui): Promise<Capture[]> {
  const data = await readBytes(file, ui, {
    label: file,
    ttyMessage: 'no input: give a capture file, or pipe one in on standard input',
    // Refused from its first bytes, before the rest is read (issue 13, item 9).
    start: {
      bytes: CAPTURE_PROBE,
      check: (start) => {
        if (!looksLikeCapture(start)) throw new InputError(`${file}: ${notACapture().message}`);
      },
    },
  });
  try {
    return parseCaptures(data);
  } catch (error) {
    throw error instanceof OblicHooksError ? new InputError(`${file}: ${error.message}`) : error;
  }
}

function labels(capture: Capture): { type: string | null; id: string | null } {
  const event = eventOf(capture.body);
  return { type: event?.type ?? null, id: event?.id ?? null };
}
