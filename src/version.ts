import { readFileSync } from 'node:fs';

/** Read from package.json at run time, so a release bumps one place. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
