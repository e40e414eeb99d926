import { NextFunction, Request, Response } from 'express';
import { routeTemplate } from '../logging/request-logging';
import { Metrics, UNMATCHED_ROUTE } from './metrics.service';

/**
 * Times every HTTP answer into autoseo_http_request_duration_seconds, labelled with the route template
 * Express matched (`/clients/:id`), never the raw path: one series per route, not per URL.
 */
export function httpMetricsMiddleware(metrics: Metrics) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    response.once('finish', () => {
      // The same template as the request's log line (a 404 that only the logger's catch-all saw has none).
      const template = routeTemplate(request);
      const route = template === null ? UNMATCHED_ROUTE : `${request.baseUrl}${template}`;
      metrics.observeHttpRequest(request.method, route, response.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
