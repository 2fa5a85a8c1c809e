import { InputError } from '../../../base/errors.js';
import { resolveEventTypes } from '../../../oblic/events.js';
import { readTls, type TlsFlags } from '../../tls-read.js';
import type { Capture } from '../../../wire/capture.js';
import { replayRequest, replayUrl } from '../../../wire/request.js';
import { hasExplicitPath, parseTarget } from '../../../wire/target.js';
import { eventOf } from '../../../oblic/label.js';
import { checkDeliveries, runDeliveries } from '../../deliveries.js';
import { parseTimeout, type SecretFlags } from '../../flags.js';
import type { Ui } from '../../io.js';
import { useSecret } from '../../secrets.js';
import { gatherCaptures } from './sources.js';

export interface ReplayFlags extends SecretFlags, TlsFlags {
  to: string;
  concurrency: number;
  timeout: string;
  retries: number;
  include?: boolean;
  json?: boolean;
  /** --last without a count is true: the newest one. */
  last?: number | true;
  from?: string;
  /** Set by the action from a project config's `save` (see config-apply.ts), not a flag. */
  configSave?: { path: string; label: string };
  events?: string;
}

export async function run(args: string[], flags: ReplayFlags, ui: Ui): Promise<void> {
  const target = parseTarget(flags.to);
  const explicitPath = hasExplicitPath(flags.to);
  const timeoutMs = parseTimeout(flags.timeout, '--timeout');
  if (args.length === 0 && flags.last === undefined)
    // Worded as commander words a missing argument elsewhere (src/cli/main.ts): the argument is optional only beside --last.
    throw new InputError("missing required argument 'captures' (the command's --help shows what it takes)");
  const captures: Capture[] = await gatherCaptures(
    {
      args,
      last: flags.last === true ? 1 : flags.last,
      from: flags.from,
      configSave: flags.configSave,
      events: flags.events === undefined ? undefined : new Set(resolveEventTypes([flags.events])),
    },
    ui,
  );
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

function labels(capture: Capture): { type: string | null; id: string | null } {
  const event = eventOf(capture.body);
  return { type: event?.type ?? null, id: event?.id ?? null };
}
