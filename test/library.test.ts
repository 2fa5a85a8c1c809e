import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function runNode(code: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT }, (error, stdout, stderr) =>
      error ? reject(new Error(stderr || error.message)) : resolve(stdout),
    ),
  );
}

describe("the library entry, imported as 'oblic-hooks'", () => {
  it('exports sign and verify that agree, and a verdict object rather than a boolean', async () => {
    const out = await runNode(`
      import { sign, verify, EVENT_TYPES } from 'oblic-hooks';
      const body = Buffer.from('{"id":"a056V7R7NmNRjl70","type":"message.updated","payload":{}}');
      const signature = sign('s3cret-value', body);
      console.log(JSON.stringify([signature.length, verify({ body, signature, secrets: ['s3cret-value'] }), EVENT_TYPES.length]));
      try { verify({ body: JSON.parse(body), signature, secrets: 'x' }); } catch (e) { console.log(e.constructor.name + ': ' + e.message); }
    `);
    const [first, second] = out.trim().split('\n');
    expect(JSON.parse(first!)).toEqual([
      64,
      { verified: true, reason: null, message: 'the signature matches the body', matchedSecret: 0 },
      15,
    ]);
    expect(second).toMatch(/^TypeError: the body must be the raw bytes/);
  });

  it('ships type declarations for what it exports', () => {
    const types = readFileSync(new URL('../dist/index.d.ts', import.meta.url), 'utf8');
    expect(types).toMatch(/export \{ verify \}/);
    expect(types).toMatch(/export \{ sign, signStream \}/);
  });

  it('reaches no CLI or runtime dependency through its imports (a dependency-free library)', () => {
    const reached = new Set<string>();
    const packages = new Set<string>();
    const walk = (file: string) => {
      if (reached.has(file)) return;
      reached.add(file);
      const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, ''); // code only, not comments
      const specs = source.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(?\s*['"]([^'"]+)['"]/g);
      for (const match of specs) {
        const spec = match[1] ?? match[2];
        if (spec === undefined) continue;
        if (spec.startsWith('.')) walk(fileURLToPath(new URL(spec, `file://${file}`)));
        else packages.add(spec);
      }
    };
    walk(fileURLToPath(new URL('../dist/index.js', import.meta.url)));
    expect(reached.size).toBeGreaterThan(2);
    expect([...packages].filter((name) => !name.startsWith('node:'))).toEqual([]);
  });
});

describe('the start-up bundle behind the bin', () => {
  it('loads no heavy module until a command needs it: undici, ora, chalk and child_process stay out', () => {
    const bundle = readFileSync(new URL('../dist/bundle/main.js', import.meta.url), 'utf8');
    expect(bundle.length).toBeGreaterThan(1_000);
    expect(bundle).not.toMatch(/require\("(undici|ora|chalk|node:child_process|child_process)"\)/);
  });

  it("takes undici's Pool from its own file, and it is the very class undici exports", async () => {
    const [{ Pool }, undici] = await Promise.all([import('../src/wire/pool.js'), import('undici')]);
    expect(Pool).toBe(undici.Pool); // fails at an undici upgrade that moves the file
    // deliver.ts takes only types from undici's index (erased), never the module itself.
    expect(readFileSync(new URL('../src/wire/deliver.ts', import.meta.url), 'utf8')).not.toMatch(
      /^import (?!type )[^;]*from 'undici'/m,
    );
  });
});

describe("the library's type declarations, as a TypeScript app compiles against them", () => {
  it('createWebhooks narrows each pattern, and a wrong type or field is a compile error', () => {
    const dir = fileURLToPath(new URL('./.examples/consumer/', import.meta.url)); // inside the package, so 'oblic-hooks' resolves
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      `${dir}app.ts`,
      [
        "import { createServer } from 'node:http';",
        "import { createWebhooks, type Message, type OblicEvent } from 'oblic-hooks';",
        '',
        'const webhooks = createWebhooks({ secrets: [process.env.OBLIC_WEBHOOK_SECRET] }); // as the README writes it',
        "webhooks.on('message.created', (event) => { const text: string = event.payload.message; const m: Message = event.payload; return [text, m]; });",
        "webhooks.on('contact.*', (event) => { const type: 'contact.created' | 'contact.updated' | 'contact.deleted' = event.type; return type; });",
        "webhooks.on('*', (event: OblicEvent) => event.id).onError((error, event) => console.error(error, event?.type));",
        '// @ts-expect-error: not an Oblic event type',
        "webhooks.on('message.sent', () => {});",
        '// @ts-expect-error: a contact has no message text',
        "webhooks.on('contact.created', (event) => event.payload.message);",
        "createServer(webhooks.node({ path: '/webhooks' }));",
        'export const POST: (request: Request) => Promise<Response> = webhooks.fetch;',
        '',
      ].join('\n'),
    );
    writeFileSync(
      `${dir}tsconfig.json`,
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        files: ['app.ts'],
      }),
    );
    const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
    const result = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
