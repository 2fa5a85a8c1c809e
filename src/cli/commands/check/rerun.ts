import { shellArg } from '../../../base/text.js';
import type { ResolvedSecret } from '../../secrets.js';
import type { Summary } from './render.js';
import type { CheckFlags } from './run.js';

/**
 * The command that sends the failing probes' very bodies again: the seed, the failing probes, and
 * every flag that changed their grades (--deadline, --timeout, --strict, the secret file) or that
 * reaches the endpoint (--ca, --insecure). The
 * secret itself is never printed: with --secret the line says to add it. When answers-in-time
 * failed, it grades what the others sent, so they all run again (as --only and --skip chose them).
 */
export function rerunCommand(target: string, flags: CheckFlags, summary: Summary, secret: ResolvedSecret): string {
  const words = ['oblic-hooks check', shellArg(target), '--seed', String(summary.seed)];
  if (summary.failing.includes('answers-in-time')) {
    for (const only of flags.only ?? []) words.push('--only', shellArg(only));
    for (const skip of flags.skip ?? []) words.push('--skip', shellArg(skip));
  } else words.push('--only', summary.failing.join(','));
  if (flags.given?.deadline) words.push('--deadline', shellArg(flags.deadline));
  if (flags.given?.timeout) words.push('--timeout', shellArg(flags.timeout));
  if (flags.strict) words.push('--strict');
  // Without them an https endpoint with its own certificate would not be reached at all.
  if (flags.ca !== undefined) words.push('--ca', shellArg(flags.ca));
  if (flags.insecure) words.push('--insecure');
  const file = flags.secretSources?.find((source) => source.kind === 'file');
  if (secret.source === 'file' && file?.kind === 'file') words.push('--secret-file', shellArg(file.path));
  return `${words.join(' ')}${secret.source === 'flag' ? ' (and your --secret)' : ''}`;
}
