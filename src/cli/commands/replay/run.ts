import { InputError, OblicHooksError } from '../../../base/errors.js';
import { readTls, type TlsFlags } from '../../tls-read.js';
import { CAPTURE_PROBE, looksLikeCapture, notACapture, parseCaptures, type Capture } from '../../../wire/capture.js';
import { replayRequest, replayUrl } from '../../../wire/request.js';
import { hasExplicitPath, parseTarget } from '../../../wire/target.js';
import { eventOf } from '../../../oblic/label.js';
import { checkDeliveries, runDeliveries } from '../../deliveries.js';
import { parseTimeout, type SecretFlags } from '../../flags.js';
import { readBytes } from '../../input.js';
import type { Ui } from '../../io.js';
import { useSecret } from '../../secrets.js';

export interface ReplayFlags extends SecretFlags, TlsFlags {
  to: string;
  concurrency: number;
  timeout: string;
  retries: number;
  include?: boolean;
  json?: boolean;
}

export async function run(files: string[], flags: ReplayFlags, ui: Ui): Promise<void> {
  const target = parseTarget(flags.to);
  const explicitPath = hasExplicitPath(flags.to);
  const timeoutMs = parseTimeout(flags.timeout, '--timeout');
  const captures: Capture[] = [];
  for (const file of files) captures.push(...(await readCaptures(file, ui)));
  // Re-signed only when a secret is given: otherwise each capture keeps its own signature.
  const tls = await readTls(flags, target, ui);
  const sources = flags.secretSources ?? [];
  const secret = sources.length > 0 ? (await useSecret(ui, sources, 're-signing')).secret : undefined;
  const bodies = captures.map((capture) => ({ ...labels(capture), bytes: capture.body, capture }));
  const summary = await runDeliveries(ui, {
    ...(tls ? { tls } : {}),
    url: target,
    total: captures.length,
    concurrency: flags.concurrency,
    timeoutMs,
    retries: flags.retries,
    json: flags.json === true,
    include: flags.include === true,
    listEach: captures.length <= 50,
    source: (index) => bodies[index]!,
    makeRequest: (body) => {
      const { capture } = body as (typeof bodies)[number];
      const url = explicitPath || capture.path === null ? target : replayUrl(target, capture.path);
      return replayRequest(url, capture.headers, capture.body, secret);
    },
  });
  checkDeliveries(summary, captures.length);
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
