'use strict';
// Preloaded (`node -r`) into the real binary by test/structure.test.ts: at exit, writes what the
// process loaded to the file $RECORD_LOADED_TO, as JSON: the files in require.cache and the Node
// built-ins (process.moduleLoadList, without Node's internal/ modules). It requires nothing before
// exit, so it adds nothing to either list. A worker thread gets the same preload and skips itself:
// the variable below is set before any worker starts, and a worker inherits it.
if (process.env.RECORDER_STARTED === undefined) {
  process.env.RECORDER_STARTED = '1';
  process.on('exit', () => {
    const builtins = process.moduleLoadList
      .filter((entry) => entry.startsWith('NativeModule ') && !entry.startsWith('NativeModule internal/'))
      .map((entry) => entry.slice('NativeModule '.length));
    const files = Object.keys(require.cache);
    require('node:fs').writeFileSync(process.env.RECORD_LOADED_TO, JSON.stringify({ files, builtins }));
  });
}
