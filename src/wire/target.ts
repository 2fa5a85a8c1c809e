import { InputError } from '../base/errors.js';

/** The port `oblic-hooks listen` uses by default, and so where `send` delivers when told only a host. */
export const DEFAULT_PORT = 4242;

/**
 * Reads a delivery target: a URL, `host:port`, `host`, `port` or `:port`, each optionally followed by
 * a path. `localhost` means `http://localhost:4242/`. Path and query are kept as given.
 */
export function parseTarget(input: string, flag = '--to'): URL {
  const raw = input.trim();
  if (raw === '') throw new InputError(`${flag} is empty; give a URL, host:port or port`);
  // `http//host`, `http:/host`, `http:\\host` or `http:3000` would otherwise be read as a host named
  // "http" (on port 4242, or 3000).
  const typo = /^(https?)(?::(?!\/\/)|\/\/)[\\/]*/i.exec(raw);
  if (typo) {
    const rest = raw.slice(typo[0].length);
    const fixed = `${typo[1]}://${/^\d/.test(rest) ? 'localhost:' : ''}${rest}`;
    throw new InputError(`"${input}" is not a URL: ${typo[1]} must be followed by "://"; try ${fixed}`);
  }
  let candidate: string;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) candidate = raw;
  else if (/^:?\d+(\/|$)/.test(raw)) candidate = `http://localhost:${raw.replace(/^:/, '')}`;
  else candidate = `http://${raw}`;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw new InputError(`"${input}" is not a URL; try http://localhost:3000/webhooks, localhost:3000 or 3000`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError(`"${input}" uses ${url.protocol.slice(0, -1)}; only http and https URLs can receive webhooks`);
  }
  if (url.hostname === '') throw new InputError(`"${input}" has no host; try localhost:${DEFAULT_PORT}`);
  if (url.username || url.password)
    throw new InputError(`"${input}" carries credentials; webhooks are authenticated by the signature, not by the URL`);
  // A bare host means the listener's port, not port 80: that is what a developer running this tool means.
  if (url.port === '' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) && !/^[^/]*:\d+/.test(raw))
    url.port = String(DEFAULT_PORT);
  return url;
}

/** Whether a --to value names a path of its own (`3000/hooks`, `http://h/`), not just where to connect. */
export function hasExplicitPath(input: string): boolean {
  return input
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .includes('/');
}
