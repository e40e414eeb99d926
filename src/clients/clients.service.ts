import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { Repository, SelectQueryBuilder } from 'typeorm';
import { CompanyContextDispatcher } from '../company-context/company-context.dispatcher';
import { CompanyContextState } from '../company-context/company-context.state';
import { SecretBox } from '../security/secret-box';
import { Client } from './client.entity';
import { ClientNotFoundError } from './clients.errors';
import { CreateClientDto } from './dto/create-client.dto';
import { ListClientsQuery, TOTAL_COUNT_CAP } from './dto/list-clients.query';
import { decodePageCursor, encodePageCursor } from './page-cursor';
import { whereSearchMatches } from './record-search';
import { UpdateClientDto } from './dto/update-client.dto';

/** A page of records; `search` (the dashboard's): words that start words of the client's name or e-mail (record-search.ts). */
export type ClientListQuery = ListClientsQuery & { search?: string };

export interface ClientPage {
  data: Client[];
  meta: { page: number | null; limit: number; total: number; total_exact: boolean; next_cursor: string | null };
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

  /**
   * One page, newest first (id descending: the primary key, so no sort at any size). A cursor page starts
   * after the cursor's id (keyset: its cost does not grow with depth); a numbered page skips rows (offset).
   * meta.total counts the matches up to TOTAL_COUNT_CAP unless `total=exact` asks for all of them.
   */
  async list(query: ClientListQuery): Promise<ClientPage> {
    const afterId = query.cursor === undefined ? null : decodePageCursor(query.cursor);
    const page = afterId === null ? (query.page ?? 1) : null;
    const offset = page === null ? 0 : (page - 1) * query.limit;
    const rows = await this.matching(query, afterId)
      .orderBy('client.id', 'DESC')
      .offset(offset || undefined)
      // One row more than asked says whether a next page exists, without a count.
      .limit(query.limit + 1)
      .getMany();
    const data = rows.slice(0, query.limit);
    // The last numbered page tells the total by itself: no second pass over the matches.
    const lastPage = page !== null && rows.length <= query.limit && (rows.length > 0 || offset === 0);
    const [total, totalExact] = lastPage ? [offset + rows.length, true] : await this.countMatches(query);
    const nextCursor = rows.length > query.limit ? encodePageCursor(data[data.length - 1].id) : null;
    return { data, meta: { page, limit: query.limit, total, total_exact: totalExact, next_cursor: nextCursor } };
  }

  /** The number of matches, exact below TOTAL_COUNT_CAP or when asked; else the cap, flagged as not exact. */
  private async countMatches(query: ClientListQuery): Promise<[number, boolean]> {
    // Counting a bounded subquery reads at most cap + 1 index entries, whatever the size of the table.
    const matches = this.matching(query).select('client.id');
    const capped = query.total === 'exact' ? matches : matches.limit(TOTAL_COUNT_CAP + 1);
    const row = await this.clients.manager
      .createQueryBuilder()
      .select('COUNT(*)', 'count')
      .from(`(${capped.getQuery()})`, 'capped')
      .setParameters(capped.getParameters())
      .getRawOne<{ count: number | string }>();
    const count = Number(row?.count ?? 0);
    return count > TOTAL_COUNT_CAP && query.total !== 'exact' ? [TOTAL_COUNT_CAP, false] : [count, true];
  }

  private matching(query: ClientListQuery, afterId: number | null = null): SelectQueryBuilder<Client> {
    const builder = this.clients.createQueryBuilder('client');
    if (query.context_status) builder.andWhere('client.context_status = :status', { status: query.context_status });
    if (afterId !== null) builder.andWhere('client.id < :afterId', { afterId });
    if (query.search !== undefined && query.search !== '') whereSearchMatches(builder, query.search);
    return builder;
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
