// The inspector page's script, served as /inspector.js: a module file of its own, so the CSP needs
// no inline script (issue 13, item 26). Plain DOM, no framework, no build step.
//
// What the server knows (the token, the listener, the forward target, the event types) comes from
// /api/config as JSON, so the page declares none of it and no value is ever pasted into its code.
import { createDetail } from './detail.js';
import { createVirtualList, el, repeatText } from './dom.js';

const config = await fetch('/api/config').then((r) => r.json());
const rows = document.getElementById('rows');
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
function rowOf(d) {
  const title = d.type || `${d.method} ${d.path}`;
  const tr = el(
    'tr',
    { class: d.seq === selected ? 'row on' : 'row', 'data-seq': d.seq, 'data-type': d.type || '' },
    el('td', {}, el('input', { type: 'checkbox', class: 'pick' })),
    el('td', { class: 'dim', text: d.time.slice(11, 23) }),
    el('td', { class: d.resource ? `r-${d.resource}` : 'dim', text: title, title }),
    el('td', { class: 'dim', title: d.id || '' }, d.id || '', repeatMark(d.duplicateOf)),
    el('td', {}, el('span', { class: `badge ${d.badge}`, text: d.badge })),
    statusCell(d),
    el('td', { class: 'dim', text: d.appStatus === null ? '' : `app ${d.appStatus}` }),
    el('td', { class: 'dim size', text: `${d.size} B` }),
  );
  tr.firstChild.firstChild.checked = picked.has(d.seq);
  return tr;
}
// The page keeps every delivery it has been told of, up to PAGE_LIMIT (oldest first in `all`), and
// draws only the rows in view (issue 18); `shown` is what the filters let through, newest first.
const PAGE_LIMIT = 50_000;
const all = [];
const known = new Set();
const picked = new Set();
const tally = { verified: 0, invalid: 0, unsigned: 0, repeats: 0 };
let shown = [];
let arrived = [];
let selected = null;
let trimmed = false;
const list = createVirtualList({
  box: document.getElementById('list'),
  sizer: document.getElementById('sizer'),
  table: document.getElementById('table'),
  body: rows,
  rowOf,
  keyOf: (d) => d.seq,
});
const count = (d, by) => {
  if (d.badge in tally) tally[d.badge] += by;
  if (d.duplicateOf) tally.repeats += by;
};
function addRow(d) {
  if (known.has(d.seq)) return;
  known.add(d.seq);
  all.push(d);
  count(d, 1);
  if (visible(d)) arrived.push(d);
  while (all.length > PAGE_LIMIT) {
    const old = all.shift();
    known.delete(old.seq);
    picked.delete(old.seq);
    count(old, -1);
    trimmed = true;
  }
}
/** Puts what arrived since the last call on top of the list, and draws it. */
function flush() {
  const fresh = arrived.reverse().filter((d) => known.has(d.seq));
  arrived = [];
  shown = fresh.length > 0 ? [...fresh, ...shown] : shown;
  if (trimmed) shown = shown.filter((d) => known.has(d.seq));
  trimmed = false;
  list.show(shown, fresh.length);
  list.draw(); // flush runs in a frame already: draw in it, not in the next
  counts();
}
function counts() {
  const { verified, invalid, unsigned, repeats } = tally;
  document.getElementById('counts').textContent =
    `${all.length} deliveries · ${verified} verified · ${invalid} invalid · ${unsigned} unsigned` +
    (repeats > 0 ? ` · ${repeats} ${repeats === 1 ? 'duplicate' : 'duplicates'}` : '');
}
function refilter() {
  shown = all.filter(visible).reverse();
  arrived = [];
  list.show(shown, -1);
  list.draw(); // now: what a filter shows is there when its change event has run
}
function open(seq) {
  list.row(selected)?.classList.remove('on');
  selected = seq;
  list.row(seq)?.classList.add('on');
  return detail.open(seq);
}
rows.addEventListener('click', (e) => {
  const tr = e.target.closest('tr');
  if (!tr) return;
  const seq = Number(tr.dataset.seq);
  if (!e.target.classList.contains('pick')) open(seq);
  else if (e.target.checked) picked.add(seq);
  else picked.delete(seq);
});

document.getElementById('compare').addEventListener('click', () => {
  return detail.compare([...picked].sort((x, y) => x - y));
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
  else {
    addRow(d);
    if (!flushing) requestAnimationFrame(() => ((flushing = false), flush()));
    flushing = true;
  }
};
let flushing = false;
await new Promise((resolve) => stream.addEventListener('open', resolve, { once: true }));
const loaded = await fetch('/api/deliveries').then((r) => r.json());
for (const d of [...loaded.reverse(), ...early]) addRow(d);
early = null;
flush();
document.body.dataset.ready = 'true';
