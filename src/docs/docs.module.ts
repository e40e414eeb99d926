import { Module } from '@nestjs/common';
import { DocsController } from './docs.controller';
import { OpenApiDocument } from './open-api-document';

@Module({
  controllers: [DocsController],
  providers: [OpenApiDocument],
})
export class DocsModule {}
