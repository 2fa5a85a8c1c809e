import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../src/oblic/events.js';
import { type Inspector, startInspector } from '../src/inspector/server.js';

const PAGE_DIR = new URL('../src/inspector/page/', import.meta.url);

let inspector: Inspector | undefined;
afterEach(async () => {
  await inspector?.close();
  inspector = undefined;
});

/** The inspector started in process from src/, on a free loopback port, sending nowhere. */
async function start(): Promise<URL> {
  inspector = await startInspector({
    port: 0,
    history: { count: 10, bytes: 1 << 20 },
    secrets: ['page-test-secret'],
    listenerUrl: new URL('http://127.0.0.1:9/'),
    send: async () => ({ status: 204, ms: 1, error: null }),
    sample: () => Buffer.from('{}'),
  });
  return inspector.url;
}

describe('the inspector page is real files, served as they are (issue 14)', () => {
  it('serves every file of src/inspector/page byte for byte, and nothing it does not hold', async () => {
    const ui = await start();
    const served = new Map([
      ['page.html', '/'],
      ['page.js', '/inspector.js'],
      ['page.css', '/inspector.css'],
    ]);
    const names = readdirSync(PAGE_DIR).sort();
    expect(names).toEqual(['detail.js', 'dom.js', 'favicon.ico', 'page.css', 'page.html', 'page.js']);
    for (const name of names) {
      const answer = await fetch(new URL(served.get(name) ?? `/${name}`, ui));
      expect(answer.status, name).toBe(200);
      expect(Buffer.from(await answer.arrayBuffer()).equals(readFileSync(new URL(name, PAGE_DIR))), name).toBe(true);
    }
    expect((await fetch(new URL('/page.html', ui))).status).toBe(404);
  });

  it('serves every module the page script imports, as JavaScript', async () => {
    const ui = await start();
    const seen = new Set<string>();
    const pending = ['/inspector.js'];
    while (pending.length > 0) {
      const path = pending.pop()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const answer = await fetch(new URL(path, ui));
      expect([path, answer.status, answer.headers.get('content-type')]).toEqual([
        path,
        200,
        'text/javascript; charset=utf-8',
      ]);
      for (const [, spec] of (await answer.text()).matchAll(/^import .* from '([^']+)';$/gm))
        pending.push(new URL(spec!, new URL(path, ui)).pathname);
    }
    expect([...seen].sort()).toEqual(['/detail.js', '/dom.js', '/inspector.js']);
  });

  it('gives the page the event types, resources and actions of src/oblic/events.ts as JSON', async () => {
    const ui = await start();
    const config = (await fetch(new URL('/api/config', ui)).then((r) => r.json())) as Record<string, unknown>;
    expect(config.eventTypes).toEqual(EVENT_TYPES.map((info) => info.type));
    expect(config.resources).toEqual([...new Set(EVENT_TYPES.map((info) => info.resource))]);
    expect(config.actions).toEqual([...new Set(EVENT_TYPES.map((info) => info.action))]);
    const script = await fetch(new URL('/inspector.js', ui)).then((r) => r.text());
    expect(script).not.toMatch(/'(contact|message)\.created'|'conversation'/);
  });
});
