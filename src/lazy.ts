/**
 * Every module a command loads only when it runs, in one place. The start-up bundle
 * (dist/cli.bundle.js) keeps these as separate files, so `--version` never pays for undici, ora or
 * the sample factory. Specifiers here are relative to src/ (dist/), which is where the bundle lives.
 */
export const lazy = {
  batch: () => import('./batch.js'),
  bodies: () => import('./bodies.js'),
  deliver: () => import('./deliver.js'),
  request: () => import('./request.js'),
  deliveries: () => import('./commands/deliveries.js'),
  listenRun: () => import('./commands/listen-run.js'),
  sendRender: () => import('./commands/send-render.js'),
};
