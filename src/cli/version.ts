import { readFileSync } from 'node:fs';

// The bundle build defines this from package.json (esbuild --define); the plain build reads the file.
declare const __OBLIC_HOOKS_VERSION__: string | undefined;

export const VERSION: string =
  typeof __OBLIC_HOOKS_VERSION__ === 'string'
    ? __OBLIC_HOOKS_VERSION__
    : (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
