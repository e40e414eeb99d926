import { Body, ConflictException, Controller, Get, Header, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toClientResponse } from '../clients/client.response';
import { ClientsService } from '../clients/clients.service';
import { ParseIdPipe } from '../clients/parse-id.pipe';
import { NoQueueError } from '../company-context/queue-driver';
import { NoFailedJobError, QueueOperations } from '../company-context/queue-operations';
import { Public } from '../security/public.decorator';
import { DashboardService } from './dashboard.service';
import { DashboardRecordsQuery } from './dto/dashboard-records.query';

const asset = (name: string) => readFileSync(join(__dirname, 'public', name), 'utf8');

export class PauseBody {
  @IsBoolean()
  paused: boolean;
}

/** What the CLI answers with a usage error the dashboard answers 409, with the same message. */
async function refusedAsConflict<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    if (error instanceof NoQueueError || error instanceof NoFailedJobError) throw new ConflictException(error.message);
    throw error;
  }
}

/**
 * The operator's page and the JSON it reads. The page, its script and its stylesheet hold no data and
 * are public (a browser cannot send a bearer token when it navigates); every call under /dashboard/api
 * needs the API token like the rest of the API. The page's own requests to /clients reuse the REST API.
 */
// The operator's page and the JSON calls it makes: an interface of the page, not of the API other systems
// use, so it stays out of the OpenAPI document (README, "Dashboard").
@ApiExcludeController()
@Controller('dashboard')
export class DashboardController {
  private readonly assets = {
    html: asset('index.html'),
    script: asset('dashboard.js'),
    render: asset('dashboard-render.js'),
    style: asset('dashboard.css'),
  };

  constructor(
    private readonly dashboard: DashboardService,
    private readonly clients: ClientsService,
    private readonly operations: QueueOperations,
  ) {}

  @Public()
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page(): string {
    return this.assets.html;
  }

  @Public()
  @Get('dashboard.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return this.assets.script;
  }

  @Public()
  @Get('dashboard-render.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  renderScript(): string {
    return this.assets.render;
  }

  @Public()
  @Get('dashboard.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  style(): string {
    return this.assets.style;
  }

  @Get('api/overview')
  overview() {
    return this.dashboard.overview();
  }

  @Get('api/timeline')
  async timeline() {
    return { hours: await this.dashboard.timeline() };
  }

  @Get('api/records')
  async records(@Query() query: DashboardRecordsQuery) {
    const page = await this.clients.list(query);
    return { data: page.data.map(toClientResponse), meta: page.meta };
  }

  /** queue:retry for the failed job of one record. */
  @Post('api/records/:id/retry')
  @HttpCode(HttpStatus.OK)
  async retryRecord(@Param('id', ParseIdPipe) id: number) {
    const report = await refusedAsConflict(this.operations.retryRecord(id));
    return { message: [...report.lines, report.summary].join('\n'), retried: report.retried };
  }

  /** queue:retry all. */
  @Post('api/retry-all')
  @HttpCode(HttpStatus.OK)
  async retryAll() {
    const report = await refusedAsConflict(this.operations.retry('all'));
    return { message: [...report.lines, report.summary].join('\n'), retried: report.retried };
  }

  /** queue:pause and queue:resume. */
  @Post('api/pause')
  @HttpCode(HttpStatus.OK)
  async pause(@Body() body: PauseBody) {
    return { message: await refusedAsConflict(this.operations.setPaused(body.paused)), paused: body.paused };
  }
}
