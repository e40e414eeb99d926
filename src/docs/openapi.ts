import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SchemaObject, SwaggerModule } from '@nestjs/swagger';
import { BEARER_SCHEME, CREDENTIALS_SCHEME } from './api-responses';
import { SCHEMAS } from './api-schemas';

export const OPENAPI_FILE = 'docs/openapi.json';

const DESCRIPTION = [
  'Client records of an SEO agency. A record is saved and answered at once; a background job then has a local LLM',
  'rewrite its `company_context`, and `context_status` goes `pending → processing → processed | failed`.',
  "docs/API.md in the repository explains statuses, the error body, the record's life, jobs and pagination.",
].join(' ');

/** Objects name every field they have: the API refuses unknown fields in a body and answers no field beyond these. */
function closeObjects(schemas: Record<string, SchemaObject>): void {
  for (const schema of Object.values(schemas)) {
    if (schema.type === 'object' && schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false;
  }
}

/**
 * The OpenAPI document of the HTTP API, built from the controllers and DTOs. One builder for the service
 * (GET /docs/openapi.json) and for `npm run openapi` (docs/openapi.json), so the two cannot differ.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('autoseo-backend')
    .setDescription(DESCRIPTION)
    .setVersion('1')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'API_TOKEN, when the service has one: `Authorization: Bearer <API_TOKEN>`' },
      BEARER_SCHEME,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description:
          'CREDENTIALS_TOKEN, a separate secret: `Authorization: Bearer <CREDENTIALS_TOKEN>`; the only key to stored credentials',
      },
      CREDENTIALS_SCHEME,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, { operationIdFactory: (_controller, method) => method });
  const schemas = { ...(document.components?.schemas ?? {}), ...SCHEMAS } as Record<string, SchemaObject>;
  closeObjects(schemas);
  const sorted = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));
  document.components = { ...document.components, schemas: sorted };
  return document;
}
