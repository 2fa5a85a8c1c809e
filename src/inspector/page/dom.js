// DOM helpers for the inspector page, plain browser JavaScript (no build step). Values from
// requests are only ever set as text or attributes, never as HTML.

/** An element with `class`, `text` (its textContent) or any other attribute, and its children. */
export const el = (tag, props = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const kid of kids) e.append(kid);
  return e;
};

/**
 * What a delivery repeats, as `listen` says it on the terminal: `duplicate of 10:15:03.412 (same
 * bytes)`, or `(same id, different bytes)`; '' for a first delivery. `repeat` is its `duplicateOf`.
 */
export const repeatText = (repeat) =>
  repeat
    ? `duplicate of ${repeat.time.slice(11, 23)} (${repeat.sameBytes ? 'same bytes' : 'same id, different bytes'})`
    : '';

/** A parsed JSON value as a tree that folds: objects and arrays as <details>, leaves coloured by type. */
export function jsonTree(value, key) {
  const label = key === undefined ? [] : [el('span', { class: 'k', text: JSON.stringify(key) }), ': '];
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    const box = el(
      'details',
      { open: '' },
      el('summary', {}, ...label, Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`),
    );
    for (const [k, v] of entries) box.append(jsonTree(v, Array.isArray(value) ? undefined : k));
    return box;
  }
  const cls = typeof value === 'string' ? 's' : typeof value === 'number' ? 'n' : 'l';
  return el('div', { class: 'leaf' }, ...label, el('span', { class: cls, text: JSON.stringify(value) }));
}

// Re-indents JSON text without parsing its values: numbers and strings keep their exact bytes,
// as JSON.parse then JSON.stringify would not (a 20-digit number loses digits). Not JSON: null.
export function reformat(text, indent) {
  try {
    JSON.parse(text);
  } catch {
    return null;
  }
  const space = (c) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  let out = '',
    depth = 0,
    i = 0;
  const newline = () => (indent ? `\n${' '.repeat(indent * depth)}` : '');
  while (i < text.length) {
    const c = text[i++];
    if (c === '"') {
      let j = i;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += c + text.slice(i, j + 1);
      i = j + 1;
    } else if (space(c)) continue;
    else if (c === '{' || c === '[') {
      let j = i;
      while (space(text[j])) j++;
      if (text[j] === '}' || text[j] === ']') {
        out += c + text[j];
        i = j + 1;
      } else {
        depth++;
        out += c + newline();
      }
    } else if (c === '}' || c === ']') {
      depth--;
      out += newline() + c;
    } else if (c === ',') out += c + newline();
    else if (c === ':') out += indent ? ': ' : ':';
    else out += c;
  }
  return out;
}

/**
 * A list that puts in the DOM only the rows in view, plus `overscan` above and below, so that ten
 * thousand deliveries cost what forty do (issue 18). `box` scrolls; `sizer` inside it is as tall as
 * every row would be; `table` inside that is moved down to where the rows in view begin, and `body`
 * holds them. Rows are all one height, measured as they are drawn. `rowOf(item)` makes a row;
 * a row still in view after a scroll is kept, not made again (a click on it is not lost).
 */
export function createVirtualList({ box, sizer, table, body, rowOf, keyOf, overscan = 10 }) {
  let items = [];
  let rowHeight = 28;
  let drawn = new Map();
  let queued = false;
  function draw(again = true) {
    queued = false;
    sizer.style.height = `${items.length * rowHeight}px`;
    const first = Math.max(0, Math.floor(box.scrollTop / rowHeight) - overscan);
    const last = Math.min(items.length, Math.ceil((box.scrollTop + box.clientHeight) / rowHeight) + overscan);
    const next = new Map();
    const rows = [];
    for (let i = first; i < last; i++) {
      const key = keyOf(items[i]);
      const tr = drawn.get(key) ?? rowOf(items[i]);
      next.set(key, tr);
      rows.push(tr);
    }
    drawn = next;
    table.style.transform = `translateY(${first * rowHeight}px)`;
    // Moves only what changed: a row that stays is not taken out and put back (less layout to redo).
    const keep = new Set(rows);
    for (const tr of [...body.children]) if (!keep.has(tr)) tr.remove();
    let at = body.firstChild;
    for (const tr of rows) {
      if (tr === at) at = at.nextSibling;
      else body.insertBefore(tr, at);
    }
    // The height the CSS gives a row, as drawn (borders collapse, fonts differ): measured, not assumed.
    const measured = rows.length > 0 ? body.getBoundingClientRect().height / rows.length : rowHeight;
    if (again && Math.abs(measured - rowHeight) > 0.01) {
      rowHeight = measured;
      draw(false);
    }
  }
  const later = () => {
    if (!queued) requestAnimationFrame(draw);
    queued = true;
  };
  box.addEventListener('scroll', later, { passive: true });
  addEventListener('resize', later);
  return {
    /**
     * Shows `list` (in display order): `shift` rows were added above the view, which stays where it
     * was; a negative `shift` is another list, shown from its top.
     */
    show(list, shift = 0) {
      items = list;
      if (shift < 0) box.scrollTop = 0;
      if (shift > 0 && box.scrollTop > 0) {
        sizer.style.height = `${items.length * rowHeight}px`; // first, or the new scrollTop is clamped to the old height
        box.scrollTop += shift * rowHeight;
      }
      later();
    },
    /** Draws now rather than at the next frame. */
    draw: () => draw(),
    /** The row of `key` if it is drawn (its checkbox, its highlight), else undefined. */
    row: (key) => drawn.get(key),
    /** Forgets drawn rows, so the next draw makes them again (their state changed). */
    redraw() {
      drawn = new Map();
      later();
    },
  };
}
