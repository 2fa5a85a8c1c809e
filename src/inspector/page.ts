import { readFileSync } from 'node:fs';

/**
 * The inspector's single page: HTML, CSS and plain DOM script in ./page/, served by the tool itself
 * (no CDN, no build step at run time). The files are the same for every run: what varies (the
 * token, the listener, the forward target) and what the server knows (the event types) comes from
 * /api/config as JSON, so no value is ever pasted into markup or script, and the page runs under a
 * CSP without inline script or style (issue 13, item 26). Values from requests are only ever set as
 * text, never as HTML.
 *
 * The files are read beside this module, wherever it runs: src/inspector/page/ (tests and tsx)
 * and dist/bundle/page/ (the CLI), where scripts/build.mjs copies them. One mechanism for both,
 * where a text import would need esbuild's loader and Vite's `?raw` (and Node has none).
 */
const PAGE_DIR = new URL('./page/', import.meta.url);

const file = (name: string, type: string) => ({ type, body: readFileSync(new URL(name, PAGE_DIR)) });

const SCRIPT = 'text/javascript; charset=utf-8';

/**
 * What the inspector serves besides its API: path → content type and bytes. The script's modules
 * import one another as ./detail.js and ./dom.js, which resolve to the paths below.
 */
export const PAGE_FILES: ReadonlyMap<string, { type: string; body: Buffer }> = new Map([
  ['/', file('page.html', 'text/html; charset=utf-8')],
  ['/inspector.js', file('page.js', SCRIPT)],
  ['/detail.js', file('detail.js', SCRIPT)],
  ['/dom.js', file('dom.js', SCRIPT)],
  ['/inspector.css', file('page.css', 'text/css; charset=utf-8')],
  // A 16×16 ICO holding one 32-bit bitmap, a green dot (issue 13, item 29: /favicon.ico was a 404 on every page load).
  ['/favicon.ico', file('favicon.ico', 'image/x-icon')],
]);

/**
 * Sent with every answer (issue 13, item 26): the page runs only its own script and style files, no
 * answer is sniffed into another type, no URL leaks in a Referer, and no other site frames or embeds
 * what the inspector serves.
 */
export const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'x-frame-options': 'DENY',
};
