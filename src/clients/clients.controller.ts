import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { ApiBodyErrors, ApiErrors, ApiProtected, RATE_LIMIT_HEADERS } from '../docs/api-responses';
import { ClientPageResponse, ClientResponse, toClientResponse } from './client.response';
import { ClientsService } from './clients.service';
import { CreateClientDto } from './dto/create-client.dto';
import { ListClientsQuery } from './dto/list-clients.query';
import { UpdateClientDto } from './dto/update-client.dto';
import { ParseIdPipe } from './parse-id.pipe';

const headers = RATE_LIMIT_HEADERS;
const ID = ApiParam({
  name: 'id',
  description: 'The record id, a positive integer',
  schema: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
});

@ApiTags('clients')
@ApiProtected()
@ApiBodyErrors()
@ApiErrors(HttpStatus.SERVICE_UNAVAILABLE)
@Controller('clients')
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a client',
    description: 'Saved as `pending` and answered at once; the AI rewrite runs in the background.',
  })
  @ApiCreatedResponse({ type: ClientResponse, headers, description: 'The record as saved, `context_status: pending`' })
  async create(@Body() dto: CreateClientDto): Promise<ClientResponse> {
    return toClientResponse(await this.clients.create(dto));
  }

  @Get()
  @ApiOperation({ summary: 'List clients, newest first, a page at a time' })
  @ApiOkResponse({ type: ClientPageResponse, headers })
  async list(@Query() query: ListClientsQuery): Promise<ClientPageResponse> {
    const page = await this.clients.list(query);
    return { data: page.data.map(toClientResponse), meta: page.meta };
  }

  @Get(':id')
  @ID
  @ApiOperation({ summary: 'Read one client' })
  @ApiOkResponse({ type: ClientResponse, headers })
  @ApiErrors(HttpStatus.NOT_FOUND)
  async findOne(@Param('id', ParseIdPipe) id: number): Promise<ClientResponse> {
    return toClientResponse(await this.clients.findOne(id));
  }

  @Patch(':id')
  @ID
  @ApiOperation({
    summary: 'Change some fields of a client',
    description: 'A field left out is unchanged. A new `company_context` becomes the original and is processed again (`pending`).',
  })
  @ApiOkResponse({ type: ClientResponse, headers, description: 'The record after the change' })
  @ApiErrors(HttpStatus.NOT_FOUND)
  async update(@Param('id', ParseIdPipe) id: number, @Body() dto: UpdateClientDto): Promise<ClientResponse> {
    return toClientResponse(await this.clients.update(id, dto));
  }

  @Delete(':id')
  @ID
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a client', description: 'Its queued job, if any, is cancelled; a result arriving later is discarded.' })
  @ApiNoContentResponse({ headers, description: 'Deleted' })
  @ApiErrors(HttpStatus.NOT_FOUND)
  async remove(@Param('id', ParseIdPipe) id: number): Promise<void> {
    await this.clients.remove(id);
  }

  @Post(':id/context/reprocess')
  @ID
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Rewrite the company description again',
    description: 'Processes the current original from scratch, with all its attempts, under a new job id; any body is ignored.',
  })
  @ApiAcceptedResponse({ type: ClientResponse, headers, description: 'The record as the restart left it: `pending`, no attempts' })
  @ApiErrors(HttpStatus.NOT_FOUND)
  async reprocess(@Param('id', ParseIdPipe) id: number): Promise<ClientResponse> {
    return toClientResponse(await this.clients.reprocess(id));
  }
}
