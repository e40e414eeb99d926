import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { resolveAppKey } from './app-key';
import { SecretBox } from './secret-box';

@Global()
@Module({
  providers: [{ provide: SecretBox, inject: [AppConfig], useFactory: (config: AppConfig) => new SecretBox(resolveAppKey(config)) }],
  exports: [SecretBox],
})
export class SecurityModule {}
