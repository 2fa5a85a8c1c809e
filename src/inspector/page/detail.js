// The detail pane of the inspector page: one delivery opened (its payload, headers and raw
// capture; replay, edit & replay, copy as curl, download), or two deliveries compared.
import { el, jsonTree, reformat, repeatText } from './dom.js';

/**
 * `pane` is the element the view fills; `api` reads and posts for it: `getDelivery(seq)` (rejects
 * with a message the page can show), `post(path, body)`, and `forwardTo`, the URL field's default.
 */
export function createDetail(pane, api) {
  const gone = (error) => pane.replaceChildren(el('p', { id: 'gone', class: 'hint', text: error.message }));

  async function open(seq) {
    let d;
    try {
      d = await api.getDelivery(seq);
    } catch (error) {
      gone(error);
      return;
    }
    const verdict = d.verdict ? (d.verdict.verified ? 'signature verified' : d.verdict.message) : 'not checked';
    const body = d.body;
    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    const payload = el(
      'div',
      { id: 'payload' },
      parsed === undefined
        ? el('pre', { text: body === null ? `(binary, base64) ${d.bodyBase64}` : body })
        : jsonTree(parsed),
    );
    const headers = el(
      'table',
      { id: 'headers' },
      ...d.headers.map(([n, v]) => el('tr', {}, el('td', { class: 'k', text: n }), el('td', { text: v }))),
    );
    const raw = el('pre', { id: 'raw', text: d.raw });
    const panes = { payload, headers, raw };
    const tabs = el('div', { class: 'tabs actions' });
    const holder = el('div');
    for (const name of Object.keys(panes)) {
      const b = el('button', { text: name, 'data-tab': name });
      b.addEventListener('click', () => {
        holder.replaceChildren(panes[name]);
        for (const x of tabs.children) x.classList.toggle('on', x === b);
      });
      tabs.append(b);
    }
    holder.append(payload);
    tabs.firstChild.classList.add('on');
    const url = el('input', { id: 'replay-url', placeholder: 'http://localhost:3000/webhooks', size: '34' });
    url.value = api.forwardTo;
    const result = el('div', { id: 'replay-result', class: 'dim' });
    const replayBtn = el('button', { id: 'replay', text: 'replay' });
    replayBtn.addEventListener('click', async () =>
      show(result, await api.post('/api/replay', { seq: d.seq, url: url.value })),
    );
    const editBtn = el('button', { id: 'edit', text: 'edit & replay' });
    editBtn.addEventListener('click', () => {
      // Compact by default, as Oblic sends; 2-space on request. What the box shows is what is sent (issue 13, item 29).
      const area = el('textarea', { id: 'edited-body' });
      area.value = reformat(body || '', 0) ?? (body || '');
      const format = el(
        'select',
        { id: 'edit-format' },
        el('option', { value: '0', text: 'compact JSON' }),
        el('option', { value: '2', text: '2-space JSON' }),
      );
      format.addEventListener('change', () => {
        area.value = reformat(area.value, Number(format.value)) ?? area.value;
      });
      const sendBtn = el('button', { id: 'send-edited', text: 'sign & send edited body' });
      sendBtn.addEventListener('click', async () =>
        show(result, await api.post('/api/replay', { seq: d.seq, url: url.value, body: area.value })),
      );
      holder.replaceChildren(area, el('div', { class: 'actions' }, format, sendBtn));
    });
    const curlBtn = el('button', { id: 'copy-curl', text: 'copy as curl' });
    curlBtn.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(d.curl);
        result.textContent = 'curl command copied';
      } catch {
        holder.replaceChildren(el('textarea', { id: 'curl', readonly: '' }, d.curl));
      }
    });
    const download = el('a', {
      href: `/api/deliveries/${d.seq}/capture`,
      download: `delivery-${d.seq}.http`,
      text: 'download .http',
    });
    pane.replaceChildren(
      el('h2', {
        class: d.resource ? `r-${d.resource}` : '',
        text: (d.type || `${d.method} ${d.path}`) + (d.id ? `  ${d.id}` : ''),
      }),
      el('div', { id: 'summary', text: d.summary }),
      el(
        'p',
        {},
        el('span', { id: 'badge', class: `badge ${d.badge}`, text: d.badge }),
        ' ',
        el('span', { id: 'verdict', text: verdict }),
      ),
      ...(d.duplicateOf
        ? [
            el('p', {
              id: 'duplicate',
              class: `dup ${d.duplicateOf.sameBytes ? 'same' : 'different'}`,
              text: `↻ ${repeatText(d.duplicateOf)}`,
            }),
          ]
        : []),
      ...d.hints.map((h) => el('div', { class: 'hint', text: `hint: ${h.message}` })),
      el('div', { class: 'actions' }, url, replayBtn, editBtn, curlBtn, download),
      result,
      tabs,
      holder,
    );
  }

  /** `picked`: the seqs of the checked rows, oldest first; the older delivery is "before" (issue 13, item 29). */
  async function compare(picked) {
    if (picked.length !== 2) {
      pane.replaceChildren(el('p', { class: 'dim', text: 'Select exactly two deliveries to compare.' }));
      return;
    }
    let a, b;
    try {
      [a, b] = await Promise.all(picked.map(api.getDelivery));
    } catch (error) {
      gone(error);
      return;
    }
    const lines = differences(parse(a.body), parse(b.body));
    pane.replaceChildren(
      el('h2', { text: `compare #${a.seq} and #${b.seq} · ${lines.length} differences` }),
      el(
        'table',
        { id: 'diff' },
        el(
          'tr',
          { class: 'dim' },
          el('td', { text: 'field' }),
          el('td', { text: `before (#${a.seq})` }),
          el('td', { text: `after (#${b.seq})` }),
        ),
        ...lines.map(([p, x, y]) =>
          el(
            'tr',
            {},
            el('td', { class: 'k', text: p }),
            el('td', { class: 'del', text: JSON.stringify(x) ?? '(absent)' }),
            el('td', { class: 'add', text: JSON.stringify(y) ?? '(absent)' }),
          ),
        ),
      ),
    );
  }

  return { open, compare };
}

function show(node, r) {
  node.textContent = r.error
    ? `failed: ${r.error}`
    : (r.status === null ? 'no answer' : `answered ${r.status}`) +
      ' from ' +
      (r.url || '') +
      (r.signature ? ` · signed ${r.signature.slice(0, 12)}…` : '');
}

const parse = (t) => {
  try {
    return JSON.parse(t);
  } catch {
    return t;
  }
};

/** [path, before, after] for every leaf that differs; a body that is not JSON is compared whole. */
function differences(before, after) {
  const lines = [];
  (function diff(x, y, path) {
    if (x !== null && y !== null && typeof x === 'object' && typeof y === 'object') {
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)]))
        diff(x[k], y[k], path + (Array.isArray(x) ? `[${k}]` : `.${k}`));
    } else if (JSON.stringify(x) !== JSON.stringify(y)) lines.push([path || '(body)', x, y]);
  })(before, after, '');
  return lines;
}
