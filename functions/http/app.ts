import { Hono } from 'hono/tiny';
import type { Log, Metrics } from '../core/ports';
import { respond } from './outcome';

/** Adds one concern's routes (CDS services, feedback, the SMART app's API) to an app. */
export type Mount = (app: Hono) => void;

/**
 * The service's Hono app with the given concerns' routes: all three on the local server, one per Lambda.
 * Every answer, including errors, goes through respond() so status codes and bodies are decided in one place;
 * a path no concern mounted is a 404.
 */
export function createApp(deps: { log: Log; metrics: Metrics }, mounts: Mount[]): Hono {
  // hono/tiny: PatternRouter, a regular expression per route, is the smallest router (Lambda bundle size) and
  // ample for a dozen routes. Unlike the default router it also matches a path with a trailing slash.
  const app = new Hono();
  for (const mount of mounts) mount(app);
  app.notFound((c) => respond(c, { kind: 'problem', status: 404, problem: 'not found' }));
  app.onError((error, c) => {
    deps.log.error('unhandled error', { error: error.name, path: c.req.path });
    deps.metrics.count('UnhandledError', 1);
    return respond(c, { kind: 'problem', status: 500, problem: 'internal error' });
  });
  return app;
}
