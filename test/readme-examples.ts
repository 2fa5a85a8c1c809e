// The README's library examples, taken out of the README and run as separate Node processes, as a
// user would run them (receive.test.ts, hardening-library.test.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const README = fileURLToPath(new URL('../README.md', import.meta.url));
const DIR = fileURLToPath(new URL('./.examples/', import.meta.url)); // inside the package, so the imports resolve

/** The code of the README block that starts with `// example: <name>`. */
export function readmeExample(name: string): string {
  const match = new RegExp(`\`\`\`js\\n// example: ${name}\\n([\\s\\S]*?)\`\`\``).exec(readFileSync(README, 'utf8'));
  if (!match) throw new Error(`the README has no "// example: ${name}" block`);
  return match[1]!;
}

/** Writes `code` to test/.examples/<file>, where `import 'oblic-hooks'` resolves to this package. */
export function writeExample(file: string, code: string): string {
  mkdirSync(DIR, { recursive: true });
  writeFileSync(`${DIR}${file}`, code);
  return `${DIR}${file}`;
}

export interface RunningExample {
  port: string;
  child: ChildProcess;
  /** Everything the example printed on stdout so far. */
  output: () => string;
  /** Resolves once what it printed satisfies `test` (a line is written before its answer, but read by us later). */
  until: (test: (out: string) => boolean) => Promise<void>;
  alive: () => boolean;
}

/** Writes `code` to test/.examples/<file> and runs it with PORT=0; resolves once it says "listening on N". */
export async function startExample(file: string, code: string, secret: string): Promise<RunningExample> {
  const path = writeExample(file, code);
  const child = spawn(process.execPath, [path], {
    env: { ...process.env, PORT: '0', OBLIC_WEBHOOK_SECRET: secret },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const waiting = new Set<() => void>();
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      for (const check of waiting) check();
      const match = /listening on (\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`example ${file} exited ${code}: ${out}`)));
  });
  const until = (test: (out: string) => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!test(out)) return;
        waiting.delete(check);
        resolve();
      };
      waiting.add(check);
      check();
    });
  return { port, child, output: () => out, until, alive: () => child.exitCode === null && child.signalCode === null };
}
