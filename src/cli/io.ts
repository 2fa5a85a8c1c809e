import type { ChalkInstance } from 'chalk';
import type { Readable, Writable } from 'node:stream';

export type OutStream = Writable & { isTTY?: boolean; columns?: number };

/** Everything a command touches outside itself, so tests can run commands in-process. */
export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  stdin: Readable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/**
 * Colour when: never with --no-color; else FORCE_COLOR decides when set (as in Node itself);
 * else never with NO_COLOR (no-color.org); else only on a TTY that is not TERM=dumb.
 */
export function wantsColor(stream: OutStream, env: NodeJS.ProcessEnv, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if (env.FORCE_COLOR !== undefined) return !['0', 'false'].includes(env.FORCE_COLOR);
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/**
 * Runs `handler` on Ctrl-C. The terminal has just echoed `^C` where the cursor was, so on a terminal
 * a newline comes first: the summary that follows starts on a line of its own. Returns the undo.
 */
export function onCtrlC(io: Io, handler: () => void): () => void {
  const listener = () => {
    if (io.stderr.isTTY === true) io.stderr.write('\n');
    handler();
  };
  process.once('SIGINT', listener);
  return () => void process.off('SIGINT', listener);
}

export interface Ui {
  io: Io;
  /** Colours for stdout and stderr, each decided for its own stream. */
  out: ChalkInstance;
  err: ChalkInstance;
  /** Writes one line of talk (progress, warnings, summaries) to stderr. */
  say(line: string): void;
}

/**
 * Chalk is loaded only when a stream is to be coloured: piped output (scripts, CI, the common case
 * for speed) gets a plain painter of the same shape and never loads chalk or node:tty.
 */
export async function createUi(io: Io, colorFlag: boolean | undefined): Promise<Ui> {
  const outColor = wantsColor(io.stdout, io.env, colorFlag);
  const errColor = wantsColor(io.stderr, io.env, colorFlag);
  const { Chalk } = outColor || errColor ? await import('chalk') : { Chalk: undefined };
  const painter = (on: boolean): ChalkInstance => (on && Chalk ? new Chalk({ level: 1 }) : PLAIN);
  return {
    io,
    out: painter(outColor),
    err: painter(errColor),
    say: (line) => void io.stderr.write(`${line}\n`),
  };
}

/** Chalk's shape without colour: every style is itself, and calling it joins its arguments. */
export const PLAIN: ChalkInstance = new Proxy(
  Object.assign((...text: unknown[]) => text.join(' '), { level: 0 }),
  {
    get: (target, key) => (key === 'level' ? 0 : key in target ? Reflect.get(target, key) : PLAIN),
  },
) as unknown as ChalkInstance;

/**
 * Batches lines for a stream and honours backpressure: `write` returns a promise only when the
 * stream asked to wait, so a fast producer (20,000 NDJSON lines) neither floods memory nor pays a
 * syscall per line.
 */
export class LineWriter {
  private buffer: string[] = [];
  private size = 0;
  private scheduled = false;
  /** Set while the stream has asked us to wait; every writer waits on it until 'drain'. */
  private drained: Promise<void> | undefined;

  constructor(
    private readonly stream: Writable,
    private readonly highWater = 64 * 1024,
  ) {}

  write(line: string): Promise<void> | undefined {
    this.buffer.push(line, '\n');
    this.size += line.length + 1;
    if (this.size >= this.highWater) return this.flush() ?? this.drained;
    // What is written in one tick goes out together at its end: prompt, and one syscall per burst.
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
    }
    return this.drained;
  }

  flush(): Promise<void> | undefined {
    if (this.size === 0) return this.drained;
    const text = this.buffer.join('');
    this.buffer = [];
    this.size = 0;
    if (!this.stream.write(text) && !this.drained) {
      this.drained = new Promise((resolve) =>
        this.stream.once('drain', () => {
          this.drained = undefined;
          resolve();
        }),
      );
    }
    return this.drained;
  }
}
