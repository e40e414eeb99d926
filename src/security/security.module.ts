import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';
import { ApiToken } from './api-token';
import { ApiTokenGuard } from './api-token.guard';
import { decodeAppKey, resolveAppKey } from './app-key';
import { rateLimitOptions } from './rate-limit';
import { SecretBox } from './secret-box';

/** The API token and its guards, the rate limit, and SecretBox (the stored passwords' encryption). */
@Module({
  imports: [ThrottlerModule.forRootAsync({ inject: [AppConfig], useFactory: rateLimitOptions })],
  providers: [
    ApiToken,
    {
      provide: SecretBox,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new SecretBox(resolveAppKey(config), config.security.previousAppKeys.map(decodeAppKey)),
    },
    // Global guards run in this order: requests with a wrong token are counted too, so a token cannot be guessed at full speed.
    { provide: APP_GUARD, useClass: ThrottlerGuard },
    { provide: APP_GUARD, useClass: ApiTokenGuard },
  ],
  exports: [SecretBox, ApiToken],
})
export class SecurityModule {}
