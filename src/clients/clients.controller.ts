import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ClientResponse, toClientResponse } from './client.response';
import { ClientsService } from './clients.service';
import { CreateClientDto } from './dto/create-client.dto';
import { ListClientsQuery } from './dto/list-clients.query';
import { UpdateClientDto } from './dto/update-client.dto';
import { ParseIdPipe } from './parse-id.pipe';

@Controller('clients')
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Post()
  async create(@Body() dto: CreateClientDto): Promise<ClientResponse> {
    return toClientResponse(await this.clients.create(dto));
  }

  @Get()
  async list(@Query() query: ListClientsQuery) {
    const page = await this.clients.list(query);
    return { data: page.data.map(toClientResponse), meta: page.meta };
  }

  @Get(':id')
  async findOne(@Param('id', ParseIdPipe) id: number): Promise<ClientResponse> {
    return toClientResponse(await this.clients.findOne(id));
  }

  @Patch(':id')
  async update(@Param('id', ParseIdPipe) id: number, @Body() dto: UpdateClientDto): Promise<ClientResponse> {
    return toClientResponse(await this.clients.update(id, dto));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(@Param('id', ParseIdPipe) id: number): Promise<void> {
    await this.clients.remove(id);
  }

  @Post(':id/context/reprocess')
  @HttpCode(HttpStatus.ACCEPTED)
  async reprocess(@Param('id', ParseIdPipe) id: number): Promise<ClientResponse> {
    return toClientResponse(await this.clients.reprocess(id));
  }
}
