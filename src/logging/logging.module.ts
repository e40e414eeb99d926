import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { Logger } from 'pino';

/** The process's root pino logger (createRootLogger), for the HTTP request logging that configureHttp mounts. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** The path nestjs-pino's middleware is bound to: every route. Express reports it as the route of a request no handler took. */
export const EVERY_ROUTE = '{*path}';

/**
 * nestjs-pino over the root logger. The request line itself comes from the middleware configureHttp mounts
 * first (requestLogging); nestjs-pino then binds that request's logger, so that every line logged while
 * a request runs carries its request id.
 */
// Not global: nothing injects ROOT_LOGGER (configureHttp reads it off the app); nestjs-pino's LoggerModule is global by its own design.
@Module({})
export class LoggingModule {
  static forRoot(root: Logger): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: { logger: root },
          useExisting: true,
          forRoutes: [{ path: EVERY_ROUTE, method: RequestMethod.ALL }],
        }),
      ],
      providers: [{ provide: ROOT_LOGGER, useValue: root }],
      exports: [ROOT_LOGGER],
    };
  }
}
