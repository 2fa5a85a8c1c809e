/**
 * Every module a command loads only when it runs, in one place. The start-up bundle
 * (dist/cli.bundle.js) keeps these as separate files, so `--version` never pays for undici, ora or
 * the sample factory. Specifiers here are relative to src/ (dist/), which is where the bundle lives.
 */
export const lazy = {
  batch: () => import('../send/batch.js'),
  bodies: () => import('../samples/bodies.js'),
  deliver: () => import('../wire/deliver.js'),
  request: () => import('../wire/request.js'),
  deliveries: () => import('./deliveries.js'),
  listenRun: () => import('./commands/listen/run.js'),
  sendRender: () => import('./commands/send/render.js'),
};
