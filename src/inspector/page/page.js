// The inspector page's script, served as /inspector.js: a module file of its own, so the CSP needs
// no inline script (issue 13, item 26). Plain DOM, no framework, no build step.
//
// What the server knows (the token, the listener, the forward target, the event types) comes from
// /api/config as JSON, so the page declares none of it and no value is ever pasted into its code.
import { createDetail } from './detail.js';
import { el, repeatText } from './dom.js';

const config = await fetch('/api/config').then((r) => r.json());
const rows = document.getElementById('rows');
const all = new Map();
let searchHits = null;
const post = (path, body) =>
  fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-oblic-hooks-token': config.token },
    body: JSON.stringify(body),
  }).then((r) => r.json());
const getDelivery = (seq) =>
  fetch(`/api/deliveries/${seq}`).then(async (r) =>
    r.ok ? r.json() : Promise.reject(new Error(r.status === 404 ? config.dropped : (await r.json()).error)),
  );
const detail = createDetail(document.getElementById('detail'), { post, getDelivery, forwardTo: config.forwardTo });
document.getElementById('listener').textContent = `listener ${config.listener}`;
for (const r of config.resources) document.getElementById('resource').append(el('option', { text: r }));
for (const a of config.actions) document.getElementById('action').append(el('option', { text: a }));
for (const t of config.eventTypes) document.getElementById('sample-type').append(el('option', { text: t }));

function visible(d) {
  const r = document.getElementById('resource').value,
    a = document.getElementById('action').value;
  if (r && d.resource !== r) return false;
  if (a && !(d.type || '').endsWith(`.${a}`)) return false;
  const repeats = document.getElementById('repeats').value;
  if (repeats && !(d.duplicateOf && (repeats === 'any' || (repeats === 'same') === d.duplicateOf.sameBytes)))
    return false;
  return searchHits === null || searchHits.has(d.seq);
}
// A delivery reloaded from --save has no answer on record: say so rather than show a status (issue 13, item 29).
const statusCell = (d) =>
  d.status === null
    ? el('td', {
        class: 'dim status',
        text: '—',
        title: 'reloaded from the save directory: what was answered is not stored',
      })
    : el('td', { class: 'status', text: String(d.status) });
// A repeat of an event id seen before in this run: a short mark, the whole sentence as its title.
const repeatMark = (repeat) =>
  repeat
    ? el('span', {
        class: `dup ${repeat.sameBytes ? 'same' : 'different'}`,
        text: repeat.sameBytes ? '↻ same bytes' : '↻ different bytes',
        title: repeatText(repeat),
      })
    : '';
function addRow(d) {
  if (all.has(d.seq)) return;
  const tr = el(
    'tr',
    { class: 'row', 'data-seq': d.seq, 'data-type': d.type || '' },
    el('td', {}, el('input', { type: 'checkbox', class: 'pick' })),
    el('td', { class: 'dim', text: d.time.slice(11, 23) }),
    el('td', { class: d.resource ? `r-${d.resource}` : 'dim', text: d.type || `${d.method} ${d.path}` }),
    el('td', { class: 'dim' }, d.id || '', repeatMark(d.duplicateOf)),
    el('td', {}, el('span', { class: `badge ${d.badge}`, text: d.badge })),
    statusCell(d),
    el('td', { class: 'dim', text: d.appStatus === null ? '' : `app ${d.appStatus}` }),
    el('td', { class: 'dim', text: `${d.size} B` }),
  );
  tr.addEventListener('click', (e) => {
    if (!e.target.classList.contains('pick')) open(d.seq);
  });
  tr.style.display = visible(d) ? '' : 'none';
  all.set(d.seq, { d, tr });
  rows.prepend(tr);
  while (rows.children.length > 5000) {
    const last = rows.lastElementChild;
    all.delete(Number(last.dataset.seq));
    last.remove();
  }
  counts();
}
function counts() {
  const c = { verified: 0, invalid: 0, unsigned: 0 };
  let repeats = 0;
  for (const { d } of all.values()) {
    if (d.badge in c) c[d.badge]++;
    if (d.duplicateOf) repeats++;
  }
  document.getElementById('counts').textContent =
    `${all.size} deliveries · ${c.verified} verified · ${c.invalid} invalid · ${c.unsigned} unsigned` +
    (repeats > 0 ? ` · ${repeats} ${repeats === 1 ? 'duplicate' : 'duplicates'}` : '');
}
function refilter() {
  for (const { d, tr } of all.values()) tr.style.display = visible(d) ? '' : 'none';
}
function open(seq) {
  for (const { tr } of all.values()) tr.classList.toggle('on', Number(tr.dataset.seq) === seq);
  return detail.open(seq);
}

document.getElementById('compare').addEventListener('click', () => {
  const picked = [...document.querySelectorAll('.pick:checked')]
    .map((c) => Number(c.closest('tr').dataset.seq))
    .sort((x, y) => x - y);
  return detail.compare(picked);
});
document.getElementById('send-sample').addEventListener('click', async () => {
  const r = await post('/api/send', { type: document.getElementById('sample-type').value });
  document.getElementById('sample-result').textContent = r.error ? `failed: ${r.error}` : `sent, answered ${r.status}`;
});
for (const id of ['resource', 'action', 'repeats']) document.getElementById(id).addEventListener('change', refilter);
let searchTimer;
document.getElementById('search').addEventListener('input', (e) => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(async () => {
    const q = e.target.value.trim();
    searchHits =
      q === ''
        ? null
        : new Set((await fetch(`/api/deliveries?q=${encodeURIComponent(q)}`).then((r) => r.json())).map((d) => d.seq));
    refilter();
  }, 150);
});
// Subscribe first, then read the list: a delivery between the two is in one or the other, and
// rows held back until the list is in keep the newest on top (addRow skips one seen twice).
let early = [];
const stream = new EventSource('/api/events');
stream.onmessage = (m) => {
  const d = JSON.parse(m.data);
  if (early) early.push(d);
  else addRow(d);
};
await new Promise((resolve) => stream.addEventListener('open', resolve, { once: true }));
const list = await fetch('/api/deliveries').then((r) => r.json());
for (const d of [...list.reverse(), ...early]) addRow(d);
early = null;
document.body.dataset.ready = 'true';
