import { ArgumentMetadata, BadRequestException, INestApplication, ValidationPipe } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { AppConfig } from '../config/app-config';
import { corsMiddleware } from './cors';
import { ROOT_LOGGER } from '../logging/logging.module';
import { requestLogging } from '../logging/request-logging';
import { httpMetricsMiddleware } from '../metrics/http-metrics.middleware';
import { Metrics } from '../metrics/metrics.service';
import { OpenApiDocument } from '../docs/open-api-document';
import { buildOpenApiDocument } from '../docs/openapi';
import { HttpErrorFilter } from './http-error.filter';
import { inputShapeProblems } from './input-shape';

export const BODY_LIMIT = '64kb';

/**
 * class-validator for bodies and queries. Path parameters are left to their own pipes (ParseIdPipe):
 * the stock pipe would first turn "1e3" into 1000 and "abc" into NaN, hiding what the caller sent.
 */
class AppValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const problems = inputShapeProblems(value);
      if (problems.length > 0) throw new BadRequestException(problems);
    }
    return super.transform(value, metadata);
  }

  protected override transformPrimitive(value: unknown, metadata: ArgumentMetadata): unknown {
    return metadata.type === 'param' ? value : super.transformPrimitive(value, metadata);
  }
}

/** Everything the HTTP app needs beyond its modules; shared by main.ts and the tests' app factory. */
export function configureHttp(app: NestExpressApplication, config: AppConfig): INestApplication {
  // The client address (rate limit, logs) from X-Forwarded-For, only as far as the proxies we trust.
  app.set('trust proxy', config.security.trustProxy);
  // Before everything else: every request gets its id and its log line, even one refused by a later step.
  app.use(requestLogging(app.get(ROOT_LOGGER)));
  // First, so that every answer carries the security headers, even a 413 from the body parser.
  app.use(helmet());
  // Before the body parser and the guards, so that their errors (413, 415, 401, 429) carry the CORS headers too.
  if (config.security.corsOrigins.length > 0) app.use(corsMiddleware(config.security.corsOrigins));
  // Before the body parser, so that its 413s are timed too.
  app.use(httpMetricsMiddleware(app.get(Metrics)));
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.useGlobalPipes(
    new AppValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
    }),
  );
  app.useGlobalFilters(new HttpErrorFilter(app.getHttpAdapter()));
  // Built from the registered controllers, once, for GET /docs and /docs/openapi.json.
  app.get(OpenApiDocument).publish(buildOpenApiDocument(app));
  app.disable('x-powered-by');
  return app;
}
