import { Injectable } from '@nestjs/common';
import { OpenAPIObject } from '@nestjs/swagger';

/** The document the docs routes serve; configureHttp builds it once the modules are known. */
@Injectable()
export class OpenApiDocument {
  private document?: OpenAPIObject;

  publish(document: OpenAPIObject): void {
    this.document = document;
  }

  get(): OpenAPIObject {
    if (!this.document) throw new Error('The OpenAPI document was not built: configureHttp() builds it');
    return this.document;
  }
}
