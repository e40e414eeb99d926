import { INestApplication, ValidationPipe } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { HttpErrorFilter } from './http-error.filter';

export const BODY_LIMIT = '64kb';

/** Everything the HTTP app needs beyond its modules; shared by main.ts and the tests' app factory. */
export function configureHttp(app: NestExpressApplication): INestApplication {
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
    }),
  );
  app.useGlobalFilters(new HttpErrorFilter());
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  return app;
}
