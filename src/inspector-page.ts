/**
 * The inspector's single page: HTML, CSS and plain DOM script, served by the tool itself (no CDN,
 * no build step at run time). Values from requests are only ever set as text, never as HTML.
 */
export const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>oblic-hooks inspector</title>
<meta name="oblic-hooks-token" content="__TOKEN__">
<style>
:root{--bg:#0f1115;--panel:#171a21;--line:#262b36;--text:#d8dee9;--dim:#7b8496;--green:#3fb950;--red:#f85149;--yellow:#d29922;
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
.add{color:var(--green)}.del{color:var(--red)}
</style></head><body>
<header><h1>oblic-hooks inspector</h1><span class="dim">listener __LISTENER__</span><span id="counts" class="dim"></span></header>
<div class="bar">
<select id="resource"><option value="">all resources</option><option>contact</option><option>conversation</option><option>message</option><option>group</option><option>attachment</option></select>
<select id="action"><option value="">all actions</option><option>created</option><option>updated</option><option>deleted</option></select>
<input id="search" placeholder="search ids and bodies" size="28">
<button id="compare">compare 2 selected</button>
<span class="dim">send a sample:</span><select id="sample-type"></select><button id="send-sample">send</button><span id="sample-result" class="dim"></span>
</div>
<main><div id="list"><table><tbody id="rows"></tbody></table></div><section id="detail"><p class="dim">Deliveries appear here as they arrive. Click one to open it.</p></section></main>
<script>
const token = document.querySelector('meta[name=oblic-hooks-token]').content;
const forwardTo = '__FORWARD__';
const TYPES = ['contact','conversation','message','group','attachment'].flatMap(r => ['created','updated','deleted'].map(a => r + '.' + a));
const rows = document.getElementById('rows'), detail = document.getElementById('detail');
const all = new Map(); let selected = null; let searchHits = null;
const el = (tag, props = {}, ...kids) => { const e = document.createElement(tag); for (const [k, v] of Object.entries(props)) { if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v); } for (const kid of kids) e.append(kid); return e; };
const post = (path, body) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-oblic-hooks-token': token }, body: JSON.stringify(body) }).then(r => r.json());
for (const t of TYPES) document.getElementById('sample-type').append(el('option', { text: t }));

function visible(d) {
  const r = document.getElementById('resource').value, a = document.getElementById('action').value;
  if (r && d.resource !== r) return false;
  if (a && !(d.type || '').endsWith('.' + a)) return false;
  return searchHits === null || searchHits.has(d.seq);
}
function addRow(d) {
  if (all.has(d.seq)) return;
  const tr = el('tr', { class: 'row', 'data-seq': d.seq, 'data-type': d.type || '' },
    el('td', {}, el('input', { type: 'checkbox', class: 'pick' })),
    el('td', { class: 'dim', text: d.time.slice(11, 23) }),
    el('td', { class: d.resource ? 'r-' + d.resource : 'dim', text: d.type || d.method + ' ' + d.path }),
    el('td', { class: 'dim', text: d.id || '' }),
    el('td', {}, el('span', { class: 'badge ' + d.badge, text: d.badge })),
    el('td', { text: d.status === null ? 'saved' : String(d.status) }),
    el('td', { class: 'dim', text: d.appStatus === null ? '' : 'app ' + d.appStatus }),
    el('td', { class: 'dim', text: d.size + ' B' }));
  tr.addEventListener('click', (e) => { if (!e.target.classList.contains('pick')) open(d.seq); });
  tr.style.display = visible(d) ? '' : 'none';
  all.set(d.seq, { d, tr });
  rows.prepend(tr);
  while (rows.children.length > 5000) { const last = rows.lastElementChild; all.delete(Number(last.dataset.seq)); last.remove(); }
  counts();
}
function counts() {
  const c = { verified: 0, invalid: 0, unsigned: 0 };
  for (const { d } of all.values()) if (d.badge in c) c[d.badge]++;
  document.getElementById('counts').textContent = all.size + ' deliveries · ' + c.verified + ' verified · ' + c.invalid + ' invalid · ' + c.unsigned + ' unsigned';
}
function refilter() { for (const { d, tr } of all.values()) tr.style.display = visible(d) ? '' : 'none'; }

function json(value, key) {
  const label = key === undefined ? [] : [el('span', { class: 'k', text: JSON.stringify(key) }), ': '];
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    const box = el('details', { open: '' }, el('summary', {}, ...label, Array.isArray(value) ? '[' + entries.length + ']' : '{' + entries.length + '}'));
    for (const [k, v] of entries) box.append(json(v, Array.isArray(value) ? undefined : k));
    return box;
  }
  const cls = typeof value === 'string' ? 's' : typeof value === 'number' ? 'n' : 'l';
  return el('div', { style: 'margin-left:14px' }, ...label, el('span', { class: cls, text: JSON.stringify(value) }));
}

async function open(seq) {
  for (const { tr } of all.values()) tr.classList.toggle('on', Number(tr.dataset.seq) === seq);
  const d = await fetch('/api/deliveries/' + seq).then(r => r.json());
  selected = d;
  const verdict = d.verdict ? (d.verdict.verified ? 'signature verified' : d.verdict.message) : 'not checked';
  const body = d.body;
  let parsed; try { parsed = JSON.parse(body); } catch { parsed = undefined; }
  const payload = el('div', { id: 'payload' }, parsed === undefined ? el('pre', { text: body === null ? '(binary, base64) ' + d.bodyBase64 : body }) : json(parsed));
  const headers = el('table', { id: 'headers' }, ...d.headers.map(([n, v]) => el('tr', {}, el('td', { class: 'k', text: n }), el('td', { text: v }))));
  const raw = el('pre', { id: 'raw', text: d.raw });
  const panes = { payload, headers, raw };
  const tabs = el('div', { class: 'tabs actions' });
  const holder = el('div');
  for (const name of Object.keys(panes)) {
    const b = el('button', { text: name, 'data-tab': name });
    b.addEventListener('click', () => { holder.replaceChildren(panes[name]); for (const x of tabs.children) x.classList.toggle('on', x === b); });
    tabs.append(b);
  }
  holder.append(payload); tabs.firstChild.classList.add('on');
  const url = el('input', { id: 'replay-url', placeholder: 'http://localhost:3000/webhooks', size: '34' }); url.value = forwardTo;
  const result = el('div', { id: 'replay-result', class: 'dim' });
  const replayBtn = el('button', { id: 'replay', text: 'replay' });
  replayBtn.addEventListener('click', async () => show(result, await post('/api/replay', { seq: d.seq, url: url.value })));
  const editBtn = el('button', { id: 'edit', text: 'edit & replay' });
  editBtn.addEventListener('click', () => {
    const area = el('textarea', { id: 'edited-body' }); area.value = parsed === undefined ? (body || '') : JSON.stringify(parsed, null, 2);
    const sendBtn = el('button', { id: 'send-edited', text: 'sign & send edited body' });
    sendBtn.addEventListener('click', async () => show(result, await post('/api/replay', { seq: d.seq, url: url.value, body: area.value })));
    holder.replaceChildren(area, el('div', { class: 'actions' }, sendBtn));
  });
  const curlBtn = el('button', { id: 'copy-curl', text: 'copy as curl' });
  curlBtn.addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(d.curl); result.textContent = 'curl command copied'; }
    catch { holder.replaceChildren(el('textarea', { id: 'curl', readonly: '' }, d.curl)); }
  });
  const download = el('a', { href: '/api/deliveries/' + d.seq + '/capture', download: 'delivery-' + d.seq + '.http', text: 'download .http' });
  detail.replaceChildren(
    el('h2', { class: d.resource ? 'r-' + d.resource : '', text: (d.type || d.method + ' ' + d.path) + (d.id ? '  ' + d.id : '') }),
    el('div', { id: 'summary', text: d.summary }),
    el('p', {}, el('span', { id: 'badge', class: 'badge ' + d.badge, text: d.badge }), ' ', el('span', { id: 'verdict', text: verdict })),
    ...d.hints.map(h => el('div', { class: 'hint', text: 'hint: ' + h.message })),
    el('div', { class: 'actions' }, url, replayBtn, editBtn, curlBtn, download),
    result, tabs, holder);
}
function show(node, r) { node.textContent = r.error ? 'failed: ' + r.error : (r.status === null ? 'no answer' : 'answered ' + r.status) + ' from ' + (r.url || '') + (r.signature ? ' · signed ' + r.signature.slice(0, 12) + '…' : ''); }

document.getElementById('compare').addEventListener('click', async () => {
  const picked = [...document.querySelectorAll('.pick:checked')].map(c => Number(c.closest('tr').dataset.seq));
  if (picked.length !== 2) { detail.replaceChildren(el('p', { class: 'dim', text: 'Select exactly two deliveries to compare.' })); return; }
  const [a, b] = await Promise.all(picked.map(s => fetch('/api/deliveries/' + s).then(r => r.json())));
  const parse = t => { try { return JSON.parse(t); } catch { return t; } };
  const lines = [];
  (function diff(x, y, path) {
    if (x !== null && y !== null && typeof x === 'object' && typeof y === 'object') {
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) diff(x[k], y[k], path + (Array.isArray(x) ? '[' + k + ']' : '.' + k));
    } else if (JSON.stringify(x) !== JSON.stringify(y)) lines.push([path || '(body)', x, y]);
  })(parse(a.body), parse(b.body), '');
  detail.replaceChildren(el('h2', { text: 'compare #' + a.seq + ' and #' + b.seq + ' · ' + lines.length + ' differences' }),
    el('table', { id: 'diff' }, ...lines.map(([p, x, y]) => el('tr', {}, el('td', { class: 'k', text: p }), el('td', { class: 'del', text: JSON.stringify(x) ?? '(absent)' }), el('td', { class: 'add', text: JSON.stringify(y) ?? '(absent)' })))));
});
document.getElementById('send-sample').addEventListener('click', async () => {
  const r = await post('/api/send', { type: document.getElementById('sample-type').value });
  document.getElementById('sample-result').textContent = r.error ? 'failed: ' + r.error : 'sent, answered ' + r.status;
});
for (const id of ['resource', 'action']) document.getElementById(id).addEventListener('change', refilter);
let searchTimer;
document.getElementById('search').addEventListener('input', (e) => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(async () => {
    const q = e.target.value.trim();
    searchHits = q === '' ? null : new Set((await fetch('/api/deliveries?q=' + encodeURIComponent(q)).then(r => r.json())).map(d => d.seq));
    refilter();
  }, 150);
});
fetch('/api/deliveries').then(r => r.json()).then(list => { for (const d of list.reverse()) addRow(d); });
new EventSource('/api/events').onmessage = (m) => addRow(JSON.parse(m.data));
</script></body></html>`;
