import { Controller, Get, Header, HttpStatus, Param, Query, Req, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Request } from 'express';
import { ParseIdPipe } from '../clients/parse-id.pipe';
import { ApiBodyErrors, ApiErrors, ApiProtected, CREDENTIALS_SCHEME, RATE_LIMIT_HEADERS } from '../docs/api-responses';
import { schemaRef } from '../docs/api-schemas';
import { Public } from '../security/public.decorator';
import { RevealsCredentials } from '../security/rate-limit';
import { CredentialsAuditService } from './credentials-audit.service';
import { toAuditResponse } from './credentials-audit.response';
import { CredentialsErrorFilter } from './credentials-error.filter';
import { CredentialsAuditPage, CredentialsResponse } from './credentials.response';
import { CredentialsService } from './credentials.service';
import { ListAuditQuery } from './dto/list-audit.query';

const ID = ApiParam({
  name: 'id',
  description: 'The record id, a positive integer',
  schema: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
});
const NO_STORE = {
  'Cache-Control': { description: 'no-store: never kept by a browser or a proxy', schema: { type: 'string' as const } },
  Pragma: { description: 'no-cache', schema: { type: 'string' as const } },
};
const refusal = (status: HttpStatus, description: string) =>
  ApiResponse({
    status,
    description,
    schema: schemaRef('ErrorBody'),
    headers: status === HttpStatus.NOT_FOUND ? NO_STORE : { ...NO_STORE, 'WWW-Authenticate': { schema: { type: 'string' } } },
  });

@ApiTags('credentials')
@ApiBodyErrors()
@ApiErrors(HttpStatus.SERVICE_UNAVAILABLE)
@Controller('clients/:id/credentials')
@UseFilters(CredentialsErrorFilter)
export class CredentialsController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly audit: CredentialsAuditService,
  ) {}

  /**
   * Outside the API token guard on purpose: CREDENTIALS_TOKEN is the one key to this route (checked and
   * audited by the service), so the API token cannot reveal and the credentials token opens nothing else.
   */
  @Get()
  @Public()
  @RevealsCredentials()
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @ID
  @ApiBearerAuth(CREDENTIALS_SCHEME)
  @ApiOperation({
    summary: "Reveal a record's stored logins, in clear",
    description: 'Only with CREDENTIALS_TOKEN (not API_TOKEN). Every attempt, allowed or refused, is audited before it is answered.',
  })
  @ApiOkResponse({ type: CredentialsResponse, headers: NO_STORE })
  @refusal(HttpStatus.UNAUTHORIZED, 'No token, or a wrong one (`WWW-Authenticate: Bearer realm="autoseo-credentials"`)')
  @refusal(HttpStatus.FORBIDDEN, 'The API token was sent: it cannot reveal credentials (`error="insufficient_scope"`)')
  @refusal(HttpStatus.NOT_FOUND, 'No client has this id, or the service has no CREDENTIALS_TOKEN (revealing is turned off)')
  @ApiResponse({
    status: HttpStatus.CONFLICT,
    description: 'A password was sealed with a key the service no longer has: configure it in APP_PREVIOUS_KEYS and run key:rotate',
    schema: schemaRef('ErrorBody'),
    headers: NO_STORE,
  })
  @ApiResponse({
    status: HttpStatus.TOO_MANY_REQUESTS,
    description: 'More than CREDENTIALS_RATE_LIMIT reveals (refused ones included) or RATE_LIMIT requests in the window',
    schema: schemaRef('ErrorBody'),
    headers: { ...NO_STORE, 'Retry-After': { schema: { type: 'integer' } } },
  })
  reveal(@Param('id', ParseIdPipe) id: number, @Req() request: Request): Promise<CredentialsResponse> {
    return this.credentials.revealToCaller(id, request.ip ?? 'unknown', request.headers.authorization);
  }

  /** Every attempt to reveal this record's credentials, newest first; behind the API token like the rest of the API. */
  @Get('audit')
  @ID
  @ApiProtected()
  @ApiOperation({ summary: "Every attempt to reveal a record's credentials, newest first" })
  @ApiOkResponse({ type: CredentialsAuditPage, headers: RATE_LIMIT_HEADERS })
  async listAudit(@Param('id', ParseIdPipe) id: number, @Query() query: ListAuditQuery): Promise<CredentialsAuditPage> {
    const page = await this.audit.list(id, query.page, query.limit);
    return { data: page.data.map(toAuditResponse), meta: page.meta };
  }
}
