/**
 * The inspector page's script, served as /inspector.js (a file of its own, so the CSP needs no
 * inline script: issue 13, item 26). Plain DOM, no framework; values from requests are set as text.
 * String.raw: the script's own backslashes reach the browser as written.
 */
export const SCRIPT = String.raw`
const config = await fetch('/api/config').then(r => r.json());
const TYPES = ['contact','conversation','message','group','attachment'].flatMap(r => ['created','updated','deleted'].map(a => r + '.' + a));
const rows = document.getElementById('rows'), detail = document.getElementById('detail');
const all = new Map(); let searchHits = null;
const el = (tag, props = {}, ...kids) => { const e = document.createElement(tag); for (const [k, v] of Object.entries(props)) { if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v); } for (const kid of kids) e.append(kid); return e; };
const post = (path, body) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-oblic-hooks-token': config.token }, body: JSON.stringify(body) }).then(r => r.json());
const getDelivery = (seq) => fetch('/api/deliveries/' + seq).then(async r => r.ok ? r.json() : Promise.reject(new Error(r.status === 404 ? config.dropped : (await r.json()).error)));
document.getElementById('listener').textContent = 'listener ' + config.listener;
for (const t of TYPES) document.getElementById('sample-type').append(el('option', { text: t }));

function visible(d) {
  const r = document.getElementById('resource').value, a = document.getElementById('action').value;
  if (r && d.resource !== r) return false;
  if (a && !(d.type || '').endsWith('.' + a)) return false;
  return searchHits === null || searchHits.has(d.seq);
}
// A delivery reloaded from --save has no answer on record: say so rather than show a status (issue 13, item 29).
const statusCell = (d) => d.status === null ? el('td', { class: 'dim status', text: '—', title: 'reloaded from the save directory: what was answered is not stored' }) : el('td', { class: 'status', text: String(d.status) });
function addRow(d) {
  if (all.has(d.seq)) return;
  const tr = el('tr', { class: 'row', 'data-seq': d.seq, 'data-type': d.type || '' },
    el('td', {}, el('input', { type: 'checkbox', class: 'pick' })),
    el('td', { class: 'dim', text: d.time.slice(11, 23) }),
    el('td', { class: d.resource ? 'r-' + d.resource : 'dim', text: d.type || d.method + ' ' + d.path }),
    el('td', { class: 'dim', text: d.id || '' }),
    el('td', {}, el('span', { class: 'badge ' + d.badge, text: d.badge })),
    statusCell(d),
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
  return el('div', { class: 'leaf' }, ...label, el('span', { class: cls, text: JSON.stringify(value) }));
}

// Re-indents JSON text without parsing its values: numbers and strings keep their exact bytes,
// as JSON.parse then JSON.stringify would not (a 20-digit number loses digits). Not JSON: null.
function reformat(text, indent) {
  try { JSON.parse(text); } catch { return null; }
  const space = (c) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  let out = '', depth = 0, i = 0;
  const newline = () => indent ? '\n' + ' '.repeat(indent * depth) : '';
  while (i < text.length) {
    const c = text[i++];
    if (c === '"') { let j = i; while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1; out += c + text.slice(i, j + 1); i = j + 1; }
    else if (space(c)) continue;
    else if (c === '{' || c === '[') {
      let j = i; while (space(text[j])) j++;
      if (text[j] === '}' || text[j] === ']') { out += c + text[j]; i = j + 1; } else { depth++; out += c + newline(); }
    }
    else if (c === '}' || c === ']') { depth--; out += newline() + c; }
    else if (c === ',') out += c + newline();
    else if (c === ':') out += indent ? ': ' : ':';
    else out += c;
  }
  return out;
}

async function open(seq) {
  for (const { tr } of all.values()) tr.classList.toggle('on', Number(tr.dataset.seq) === seq);
  let d;
  try { d = await getDelivery(seq); } catch (error) { detail.replaceChildren(el('p', { id: 'gone', class: 'hint', text: error.message })); return; }
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
  const url = el('input', { id: 'replay-url', placeholder: 'http://localhost:3000/webhooks', size: '34' }); url.value = config.forwardTo;
  const result = el('div', { id: 'replay-result', class: 'dim' });
  const replayBtn = el('button', { id: 'replay', text: 'replay' });
  replayBtn.addEventListener('click', async () => show(result, await post('/api/replay', { seq: d.seq, url: url.value })));
  const editBtn = el('button', { id: 'edit', text: 'edit & replay' });
  editBtn.addEventListener('click', () => {
    // Compact by default, as Oblic sends; 2-space on request. What the box shows is what is sent (issue 13, item 29).
    const area = el('textarea', { id: 'edited-body' }); area.value = reformat(body || '', 0) ?? (body || '');
    const format = el('select', { id: 'edit-format' }, el('option', { value: '0', text: 'compact JSON' }), el('option', { value: '2', text: '2-space JSON' }));
    format.addEventListener('change', () => { area.value = reformat(area.value, Number(format.value)) ?? area.value; });
    const sendBtn = el('button', { id: 'send-edited', text: 'sign & send edited body' });
    sendBtn.addEventListener('click', async () => show(result, await post('/api/replay', { seq: d.seq, url: url.value, body: area.value })));
    holder.replaceChildren(area, el('div', { class: 'actions' }, format, sendBtn));
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
  // The older delivery is "before", whichever order the rows are in (issue 13, item 29).
  const picked = [...document.querySelectorAll('.pick:checked')].map(c => Number(c.closest('tr').dataset.seq)).sort((x, y) => x - y);
  if (picked.length !== 2) { detail.replaceChildren(el('p', { class: 'dim', text: 'Select exactly two deliveries to compare.' })); return; }
  let a, b;
  try { [a, b] = await Promise.all(picked.map(getDelivery)); } catch (error) { detail.replaceChildren(el('p', { id: 'gone', class: 'hint', text: error.message })); return; }
  const parse = t => { try { return JSON.parse(t); } catch { return t; } };
  const lines = [];
  (function diff(x, y, path) {
    if (x !== null && y !== null && typeof x === 'object' && typeof y === 'object') {
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) diff(x[k], y[k], path + (Array.isArray(x) ? '[' + k + ']' : '.' + k));
    } else if (JSON.stringify(x) !== JSON.stringify(y)) lines.push([path || '(body)', x, y]);
  })(parse(a.body), parse(b.body), '');
  detail.replaceChildren(el('h2', { text: 'compare #' + a.seq + ' and #' + b.seq + ' · ' + lines.length + ' differences' }),
    el('table', { id: 'diff' }, el('tr', { class: 'dim' }, el('td', { text: 'field' }), el('td', { text: 'before (#' + a.seq + ')' }), el('td', { text: 'after (#' + b.seq + ')' })),
      ...lines.map(([p, x, y]) => el('tr', {}, el('td', { class: 'k', text: p }), el('td', { class: 'del', text: JSON.stringify(x) ?? '(absent)' }), el('td', { class: 'add', text: JSON.stringify(y) ?? '(absent)' })))));
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
// Subscribe first, then read the list: a delivery between the two is in one or the other, and
// rows held back until the list is in keep the newest on top (addRow skips one seen twice).
let early = [];
const stream = new EventSource('/api/events');
stream.onmessage = (m) => { const d = JSON.parse(m.data); if (early) early.push(d); else addRow(d); };
await new Promise((resolve) => stream.addEventListener('open', resolve, { once: true }));
const list = await fetch('/api/deliveries').then(r => r.json());
for (const d of [...list.reverse(), ...early]) addRow(d);
early = null;
document.body.dataset.ready = 'true';
`;
