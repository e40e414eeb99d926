import { Controller, Get, Header, Param, Query, Req, UseFilters } from '@nestjs/common';
import { Request } from 'express';
import { ParseIdPipe } from '../clients/parse-id.pipe';
import { Public } from '../security/public.decorator';
import { RevealsCredentials } from '../security/rate-limit';
import { CredentialsAuditService } from './credentials-audit.service';
import { toAuditResponse } from './credentials-audit.response';
import { CredentialsErrorFilter } from './credentials-error.filter';
import { Credentials, CredentialsService } from './credentials.service';
import { ListAuditQuery } from './dto/list-audit.query';

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
  reveal(@Param('id', ParseIdPipe) id: number, @Req() request: Request): Promise<Credentials> {
    return this.credentials.revealToCaller(id, request.ip ?? 'unknown', request.headers.authorization);
  }

  /** Every attempt to reveal this record's credentials, newest first; behind the API token like the rest of the API. */
  @Get('audit')
  async listAudit(@Param('id', ParseIdPipe) id: number, @Query() query: ListAuditQuery) {
    const page = await this.audit.list(id, query.page, query.limit);
    return { data: page.data.map(toAuditResponse), meta: page.meta };
  }
}
