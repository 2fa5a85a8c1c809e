import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliDecompress, createBrotliDecompress } from 'node:zlib';

/** What `chromium.launch()` needs to start the test browser. */
export interface TestBrowser {
  executablePath: string;
  /** The browser's environment; undefined means playwright's default, this process's. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The browser the browser tests drive: `CHROMIUM_PATH` when it is set, else the headless Chromium
 * that the dev dependency @sparticuz/chromium ships inside its npm package as brotli files, so that
 * `npm install` on a machine with only Node brings a browser (issue 14). Its own loader unpacks into
 * a shared, unversioned /tmp/chromium and adds the shared libraries it ships (NSS, NSPR, expat) only
 * on AWS Lambda; this unpacks the binary and those libraries once per package version into
 * node_modules/.cache, atomically, so a killed run or another version never leaves a broken browser.
 * The package is pinned at 147.0.0, its last release for Node 20 (148 and later need Node 22.17).
 */
export async function testBrowser(): Promise<TestBrowser> {
  const chosen = process.env.CHROMIUM_PATH;
  if (chosen) return { executablePath: chosen };
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `@sparticuz/chromium ships a Chromium for x86-64 Linux only; on ${process.platform}-${process.arch}, ` +
        'set CHROMIUM_PATH to a Chromium or Chrome on this machine',
    );
  }
  const main = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  const packageDir = join(dirname(main), '..', '..');
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const dir = await unpackOnce(join(packageDir, 'bin'), version);
  return {
    executablePath: join(dir, 'chromium'),
    env: { ...process.env, LD_LIBRARY_PATH: join(dir, 'lib'), FONTCONFIG_FILE: join(dir, 'fonts.conf') },
  };
}

const CACHE = fileURLToPath(new URL('../../node_modules/.cache/oblic-hooks/', import.meta.url));

/** The unpacked browser's folder: made in a folder of its own, then renamed into place whole. */
async function unpackOnce(bin: string, version: string): Promise<string> {
  const dir = join(CACHE, `chromium-${version}`);
  if (existsSync(dir)) return dir;
  mkdirSync(CACHE, { recursive: true });
  const staging = mkdtempSync(join(CACHE, `.chromium-${version}-`));
  try {
    await Promise.all([
      pipeline(
        createReadStream(join(bin, 'chromium.br')),
        createBrotliDecompress(),
        createWriteStream(join(staging, 'chromium'), { mode: 0o755 }),
      ),
      // Built for Amazon Linux 2023: they need glibc 2.34 or later.
      untar(await unbrotli(join(bin, 'al2023.tar.br')), staging),
      untar(await unbrotli(join(bin, 'fonts.tar.br')), staging),
    ]);
    // The machine's fonts when it has fontconfig's configuration, and the package's Open Sans always,
    // so that text renders on a machine with no fonts at all. Paths are the folder's final ones.
    await writeFile(
      join(staging, 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
        `  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n` +
        `  <dir>${join(dir, 'fonts')}</dir>\n  <cachedir>${join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
    );
    await rename(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // Another run got there first: its folder is complete, ours is not needed.
    if (existsSync(dir)) return dir;
    throw error;
  }
  return dir;
}

async function unbrotli(file: string): Promise<Buffer> {
  return promisify(brotliDecompress)(await readFile(file));
}

/** Unpacks a plain ustar archive (files and folders, as the package ships them). */
async function untar(archive: Buffer, into: string): Promise<void> {
  for (let at = 0; at + 512 <= archive.length; ) {
    const header = archive.subarray(at, at + 512);
    if (header.every((byte) => byte === 0)) return;
    const field = (start: number, length: number) =>
      header.toString('latin1', start, start + length).replace(/\0.*$/s, '');
    const name = normalize(join(field(345, 155), field(0, 100)));
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    if (name.startsWith('..') || name.startsWith('/')) throw new Error(`unsafe path in the archive: ${name}`);
    if (type === '5') await mkdir(join(into, name), { recursive: true });
    else if (type === '0') {
      await mkdir(dirname(join(into, name)), { recursive: true });
      const mode = Number.parseInt(field(100, 8).trim() || '644', 8);
      await writeFile(join(into, name), archive.subarray(at + 512, at + 512 + size), { mode });
    } else throw new Error(`unexpected entry type ${JSON.stringify(type)} for ${name} in the archive`);
    at += 512 + Math.ceil(size / 512) * 512;
  }
}
