import { NextFunction, Request, Response } from 'express';
import { Metrics, UNMATCHED_ROUTE } from './metrics.service';

/**
 * Times every HTTP answer into autoseo_http_request_duration_seconds, labelled with the route template
 * Express matched (`/clients/:id`), never the raw path: one series per route, not per URL.
 */
export function httpMetricsMiddleware(metrics: Metrics) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    response.once('finish', () => {
      const template = (request.route as { path?: unknown } | undefined)?.path;
      const route = typeof template === 'string' ? `${request.baseUrl}${template}` : UNMATCHED_ROUTE;
      metrics.observeHttpRequest(request.method, route, response.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
