import { FAVICON } from './icon.js';
import { SCRIPT } from './script.js';

/**
 * The inspector's single page: HTML, CSS and plain DOM script, served by the tool itself (no CDN,
 * no build step at run time). The HTML is the same for every run: what varies (the token, the
 * listener, the forward target) comes from /api/config, so no value is ever pasted into markup or
 * script, and the page runs under a CSP without inline script or style (issue 13, item 26).
 * Values from requests are only ever set as text, never as HTML.
 */
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>oblic-hooks inspector</title>
<link rel="icon" href="/favicon.ico">
<link rel="stylesheet" href="/inspector.css">
<script type="module" src="/inspector.js"></script>
</head><body>
<header><h1>oblic-hooks inspector</h1><span id="listener" class="dim"></span><span id="counts" class="dim"></span></header>
<div class="bar">
<select id="resource"><option value="">all resources</option><option>contact</option><option>conversation</option><option>message</option><option>group</option><option>attachment</option></select>
<select id="action"><option value="">all actions</option><option>created</option><option>updated</option><option>deleted</option></select>
<input id="search" placeholder="search ids and bodies" size="28">
<button id="compare">compare 2 selected</button>
<span class="dim">send a sample:</span><select id="sample-type"></select><button id="send-sample">send</button><span id="sample-result" class="dim"></span>
</div>
<main><div id="list"><table><tbody id="rows"></tbody></table></div><section id="detail"><p class="dim">Deliveries appear here as they arrive. Click one to open it.</p></section></main>
</body></html>`;

const STYLE = `:root{--bg:#0f1115;--panel:#171a21;--line:#262b36;--text:#d8dee9;--dim:#7b8496;--green:#3fb950;--red:#f85149;--yellow:#d29922;
--contact:#39c5cf;--conversation:#58a6ff;--message:#3fb950;--group:#bc8cff;--attachment:#d29922}
*{box-sizing:border-box}body{margin:0;font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--bg);color:var(--text)}
header{display:flex;gap:16px;align-items:center;padding:10px 14px;border-bottom:1px solid var(--line);background:var(--panel)}
header h1{font-size:14px;margin:0}header .dim{color:var(--dim)}
.bar{display:flex;gap:8px;flex-wrap:wrap;padding:8px 14px;border-bottom:1px solid var(--line)}
input,select,button,textarea{font:inherit;background:#0b0d11;color:var(--text);border:1px solid var(--line);border-radius:4px;padding:4px 8px}
a{color:#58a6ff}button{cursor:pointer;background:#21262d}button:hover{border-color:#58a6ff}
main{display:grid;grid-template-columns:minmax(420px,46%) 1fr;height:calc(100vh - 92px)}
#list{overflow:auto;border-right:1px solid var(--line)}table{width:100%;border-collapse:collapse}
td{padding:4px 8px;border-bottom:1px solid var(--line);white-space:nowrap}tr.row{cursor:pointer}tr.row:hover,tr.row.on{background:#1f2430}
.badge{padding:1px 6px;border-radius:8px;font-size:11px}.verified{background:#12361f;color:var(--green)}.invalid{background:#3d1417;color:var(--red)}
.unsigned,.none{background:#3a2f12;color:var(--yellow)}.dim{color:var(--dim)}
.r-contact{color:var(--contact)}.r-conversation{color:var(--conversation)}.r-message{color:var(--message)}.r-group{color:var(--group)}.r-attachment{color:var(--attachment)}
#detail{overflow:auto;padding:12px 16px}#detail h2{font-size:14px;margin:0 0 4px}.hint{color:var(--yellow)}
.tabs button.on{border-color:#58a6ff}pre{white-space:pre-wrap;word-break:break-all;margin:0}
details{margin-left:14px}summary{cursor:pointer;list-style:none}summary::before{content:'▸ ';color:var(--dim)}details[open]>summary::before{content:'▾ '}
.k{color:#79c0ff}.s{color:#a5d6ff}.n{color:#f2cc60}.l{color:#ff7b72}
.actions{display:flex;gap:8px;flex-wrap:wrap;margin:10px 0}textarea{width:100%;min-height:200px}
.add{color:var(--green)}.del{color:var(--red)}.leaf{margin-left:14px}
`;

/** What the inspector serves besides its API: path → content type and bytes. */
export const PAGE_FILES: ReadonlyMap<string, { type: string; body: Buffer }> = new Map([
  ['/', { type: 'text/html; charset=utf-8', body: Buffer.from(PAGE) }],
  ['/inspector.js', { type: 'text/javascript; charset=utf-8', body: Buffer.from(SCRIPT) }],
  ['/inspector.css', { type: 'text/css; charset=utf-8', body: Buffer.from(STYLE) }],
  ['/favicon.ico', { type: 'image/x-icon', body: FAVICON }],
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
