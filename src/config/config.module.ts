import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config';

// Global: nearly every provider reads AppConfig, the one configuration of the process.
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig],
    };
  }
}
