import { Controller, Get, Header, NotFoundException, Param, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags, OpenAPIObject } from '@nestjs/swagger';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { ApiBodyErrors, ApiErrors, ApiProtected, RATE_LIMIT_HEADERS } from './api-responses';
import { OpenApiDocument } from './open-api-document';

// swagger-ui-dist's files, served by the service itself: the page loads nothing from elsewhere, as helmet's CSP demands.
// The package ships no type declarations, hence the typed require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SWAGGER_UI = (require('swagger-ui-dist/absolute-path.js') as () => string)();
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};
const INIT_SCRIPT = 'swagger-ui-init.js';
const BINARY = { type: 'string' as const, format: 'binary' };

// No inline script or style: the CSP (script-src 'self') would block it.
const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>autoseo-backend API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/${INIT_SCRIPT}"></script>
</body>
</html>
`;

/** Swagger UI at /docs and the document at /docs/openapi.json, behind API_TOKEN like the routes they describe. */
@ApiTags('docs')
@ApiProtected()
@ApiBodyErrors()
@Controller('docs')
export class DocsController {
  constructor(private readonly document: OpenApiDocument) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @ApiOperation({ summary: 'This document in Swagger UI, for a browser' })
  @ApiOkResponse({
    headers: RATE_LIMIT_HEADERS,
    description: 'The Swagger UI page',
    content: { 'text/html': { schema: { type: 'string' } } },
  })
  page(): string {
    return PAGE;
  }

  @Get('openapi.json')
  @ApiOperation({ summary: 'This document (OpenAPI 3), the same as docs/openapi.json in the repository' })
  @ApiOkResponse({ headers: RATE_LIMIT_HEADERS, description: 'The OpenAPI document', schema: { type: 'object' } })
  openapi(): OpenAPIObject {
    return this.document.get();
  }

  @Get('assets/:file')
  @ApiOperation({ summary: "Swagger UI's script, style sheet and icon" })
  @ApiParam({ name: 'file', schema: { type: 'string', enum: [...Object.keys(ASSETS), INIT_SCRIPT] } })
  @ApiOkResponse({
    headers: RATE_LIMIT_HEADERS,
    description: 'The file',
    content: Object.fromEntries(['application/javascript', 'text/css', 'image/png'].map((type) => [type, { schema: BINARY }])),
  })
  @ApiErrors(404)
  asset(@Param('file') file: string): StreamableFile {
    if (file === INIT_SCRIPT) {
      const spec = JSON.stringify(this.document.get());
      const script = `window.ui = SwaggerUIBundle({ spec: ${spec}, dom_id: '#swagger-ui', deepLinking: true });\n`;
      return new StreamableFile(Buffer.from(script), { type: 'application/javascript; charset=utf-8' });
    }
    const type = ASSETS[file];
    if (!type) throw new NotFoundException(`No such file: /docs/assets/${file.slice(0, 60)}`);
    return new StreamableFile(createReadStream(join(SWAGGER_UI, file)), { type });
  }
}
