import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { FindOptionsWhere, Raw, Repository } from 'typeorm';
import { CompanyContextDispatcher } from '../context/company-context.dispatcher';
import { CompanyContextState } from '../context/company-context.state';
import { SecretBox } from '../security/secret-box';
import { Client } from './client.entity';
import { ClientNotFoundError } from './clients.errors';
import { CreateClientDto } from './dto/create-client.dto';
import { ListClientsQuery } from './dto/list-clients.query';
import { UpdateClientDto } from './dto/update-client.dto';

/** A page of records; `search` (the dashboard's) matches part of the client's name or e-mail. */
export type ClientListQuery = ListClientsQuery & { search?: string };

export interface ClientPage {
  data: Client[];
  meta: { page: number; limit: number; total: number };
}

@Injectable()
export class ClientsService {
  constructor(
    @InjectRepository(Client) private readonly clients: Repository<Client>,
    private readonly secrets: SecretBox,
    private readonly contextState: CompanyContextState,
    private readonly dispatcher: CompanyContextDispatcher,
  ) {}

  /** Saves the client with the text as typed and queues the AI rewrite; never waits for the AI. */
  async create(dto: CreateClientDto): Promise<Client> {
    const now = new Date();
    const client = this.clients.create({
      ...dto,
      ...this.sealPasswords(dto),
      ...CompanyContextState.initial(dto.company_context),
      pin: randomBytes(4).toString('hex'),
      created_at: now,
      updated_at: now,
    });
    await this.clients.insert(client);
    // Enqueued after the insert has committed, so a worker always finds the row.
    void this.dispatcher.dispatch({ clientId: client.id, version: client.context_version });
    return client;
  }

  async list(query: ClientListQuery): Promise<ClientPage> {
    const status: FindOptionsWhere<Client> = query.context_status ? { context_status: query.context_status } : {};
    // '!' escapes LIKE's wildcards on MySQL and SQLite alike (a backslash is not an escape in SQLite).
    const pattern = query.search ? `%${query.search.replace(/[!%_]/g, '!$&')}%` : undefined;
    const contains = Raw((column) => `${column} LIKE :pattern ESCAPE '!'`, { pattern });
    const [data, total] = await this.clients.findAndCount({
      where: pattern
        ? [
            { ...status, client_name: contains },
            { ...status, client_email: contains },
          ]
        : status,
      order: { id: 'DESC' },
      skip: (query.page - 1) * query.limit,
      take: query.limit,
    });
    return { data, meta: { page: query.page, limit: query.limit, total } };
  }

  async findOne(id: number): Promise<Client> {
    const client = await this.clients.findOneBy({ id });
    if (!client) throw new ClientNotFoundError(id);
    return client;
  }

  /** Changes the given fields; a new company_context becomes the original and is processed again. */
  async update(id: number, dto: UpdateClientDto): Promise<Client> {
    const current = await this.findOne(id);
    const { company_context: companyContext, ...fields } = dto;
    // Only the columns the request names are written, so a worker's concurrent context update is never overwritten.
    if (Object.keys(fields).length > 0) {
      await this.clients.update(id, { ...fields, ...this.sealPasswords(fields), updated_at: new Date() });
    }
    if (companyContext !== undefined && companyContext !== current.company_context_original) {
      return this.restartContext(id, companyContext);
    }
    return this.findOne(id);
  }

  async remove(id: number): Promise<void> {
    const client = await this.findOne(id);
    await this.clients.delete(id);
    await this.dispatcher.cancel({ clientId: id, version: client.context_version });
  }

  /** Processes the current original again from scratch; answers with the record as the restart left it (pending, no attempts). */
  reprocess(id: number): Promise<Client> {
    return this.restartContext(id);
  }

  private async restartContext(id: number, original?: string): Promise<Client> {
    const restarted = await this.contextState.restart(id, original);
    if (!restarted) throw new ClientNotFoundError(id);
    void this.dispatcher.dispatch({ clientId: id, version: restarted.context_version });
    return restarted;
  }

  private sealPasswords(fields: Pick<UpdateClientDto, 'password' | 'password_app'>): Partial<Client> {
    const sealed: Partial<Client> = {};
    if (fields.password !== undefined) sealed.password = this.secrets.seal(fields.password);
    if (fields.password_app !== undefined) sealed.password_app = this.secrets.seal(fields.password_app);
    return sealed;
  }
}
