import type { Inspector } from '../../../inspector/server.js';
import type { ListenPlan } from './plan.js';

/** The web inspector (listen --ui), loaded only when asked for. It sends with the same delivery code as send. */
export async function openInspector(plan: ListenPlan, listenerUrl: URL): Promise<Inspector> {
  const [{ startInspector }, { createDeliverer }, { createEventSource }] = await Promise.all([
    import('../../../inspector/server.js'),
    import('../../../wire/deliver.js'),
    import('../../../samples/bodies.js'),
  ]);
  return startInspector({
    port: plan.ui!.port,
    history: plan.ui!.history,
    secrets: plan.secrets.map((s) => s.secret),
    listenerUrl,
    forwardTo: plan.forwardTo,
    saveDir: plan.saveDir,
    sample: (type) => createEventSource({ types: [type], now: Math.floor(Date.now() / 1000) })(0).bytes,
    send: async (request) => {
      const deliverer = createDeliverer(request.url, { connections: 1, timeoutMs: 10_000, retries: 0, deliveries: 1 });
      try {
        const result = await deliverer.deliver(request);
        return { status: result.status, ms: result.ms, error: result.error };
      } finally {
        await deliverer.close();
      }
    },
  });
}
