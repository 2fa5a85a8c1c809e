import { InputError } from '../base/errors.js';
import { describeFsError, readSmallFile } from '../base/files.js';
import type { TlsOptions } from '../wire/tls.js';
import type { Ui } from './io.js';
import type { TlsFlags } from './tls-flags.js';

export type { TlsFlags } from './tls-flags.js';

const CA_LIMIT = 1024 * 1024;

/**
 * The TLS options of `flags` for `target` (given by `flag`), or undefined when neither is given.
 * --insecure is refused for anything but a loopback target: an unchecked certificate elsewhere is a
 * man in the middle's invitation. A --ca that is not a PEM certificate is refused before sending.
 */
export async function readTls(flags: TlsFlags, target: URL, ui: Ui, flag = '--to'): Promise<TlsOptions | undefined> {
  if (flags.ca === undefined && !flags.insecure) return undefined;
  const given = flags.insecure ? '--insecure' : '--ca';
  if (target.protocol !== 'https:')
    throw new InputError(`${given} is for an https target; ${flag} ${target.href} is plain http`);
  if (flags.insecure && !isLoopback(target.hostname))
    throw new InputError(
      `--insecure is for a loopback target only (localhost, 127.0.0.1, ::1), not ${target.hostname}: pass --ca <its certificate file> instead`,
    );
  const tls: TlsOptions = {};
  if (flags.ca !== undefined) tls.ca = await readCa(flags.ca);
  if (flags.insecure) {
    tls.insecure = true;
    ui.say(ui.err.yellow(`warning: --insecure: the certificate of ${target.origin} is not checked`));
  }
  return tls;
}

async function readCa(path: string): Promise<string> {
  let text: string;
  try {
    text = (await readSmallFile(path, { limit: CA_LIMIT })).bytes.toString('utf8');
  } catch (error) {
    throw new InputError(`cannot read --ca ${path}: ${describeFsError(error)}`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----'))
    throw new InputError(`--ca ${path} is not a PEM certificate (no "-----BEGIN CERTIFICATE-----" line)`);
  return text;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\./.test(hostname);
}
