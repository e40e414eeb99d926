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
import { SEARCH_SAMPLE_ROWS, SearchReading, searchWords, whereSearchMatches } from './record-search';
import { UpdateClientDto } from './dto/update-client.dto';

/** A page of records; `search` (the dashboard's): words that start words of the client's name or e-mail (record-search.ts). */
export type ClientListQuery = ListClientsQuery & { search?: string };

/** A search's sample: the newest SEARCH_SAMPLE_ROWS candidates below afterId, from floor on (null: all of them). */
interface Sample {
  afterId: number | null;
  floor: number | null;
}

interface MatchRange {
  afterId?: number | null;
  fromId?: number | null;
  reading?: SearchReading | 'none';
}

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
    // A MariaDB search reads the newest candidates first (SEARCH_SAMPLE_ROWS): where they end.
    const floor = this.samplesSearch(query) ? await this.sampleFloor(query, afterId) : undefined;
    const rows =
      floor !== undefined
        ? await this.searchPage(query, { afterId, floor }, offset)
        : await this.matching(query, { afterId })
            .orderBy('client.id', 'DESC')
            .offset(offset || undefined)
            // One row more than asked says whether a next page exists, without a count.
            .limit(query.limit + 1)
            .getMany();
    const data = rows.slice(0, query.limit);
    // The last numbered page tells the total by itself: no second pass over the matches.
    const lastPage = page !== null && rows.length <= query.limit && (rows.length > 0 || offset === 0);
    const [total, totalExact] = lastPage
      ? [offset + rows.length, true]
      : await this.countMatches(query, afterId === null ? floor : undefined);
    const nextCursor = rows.length > query.limit ? encodePageCursor(data[data.length - 1].id) : null;
    return { data, meta: { page, limit: query.limit, total, total_exact: totalExact, next_cursor: nextCursor } };
  }

  /** Whether a search reads the newest records before the index (MariaDB: see SEARCH_SAMPLE_ROWS). */
  private samplesSearch(query: ClientListQuery): boolean {
    return searchWords(query.search ?? '').length > 0 && this.clients.manager.connection.options.type === 'mysql';
  }

  /**
   * A search's page on MariaDB: the matches among the SEARCH_SAMPLE_ROWS newest candidates below the cursor,
   * read one by one; the index only for what they leave of the page, which happens when few of them match
   * (so the index has few matches to return). The page's ids first (from `offset` on, one more than the
   * limit), then its records.
   */
  private async searchPage(query: ClientListQuery, sample: Sample, offset: number): Promise<Client[]> {
    const { afterId, floor } = sample;
    const wanted = offset + query.limit + 1;
    const upper = await this.ids(this.matching(query, { afterId, fromId: floor, reading: 'scan' }), 0, wanted);
    let ids = upper.slice(offset);
    if (upper.length < wanted && floor !== null) {
      const below = this.matching(query, { afterId: floor });
      ids = ids.concat(await this.ids(below, Math.max(0, offset - upper.length), wanted - Math.max(upper.length, offset)));
    }
    if (ids.length === 0) return [];
    return this.clients.createQueryBuilder('client').whereInIds(ids).orderBy('client.id', 'DESC').getMany();
  }

  /** The id of the SEARCH_SAMPLE_ROWS-th candidate below afterId (filters applied, no search); null when there are fewer. */
  private async sampleFloor(query: ClientListQuery, afterId: number | null): Promise<number | null> {
    const [floor] = await this.ids(this.matching(query, { afterId, reading: 'none' }), SEARCH_SAMPLE_ROWS - 1, 1);
    return floor ?? null;
  }

  private async ids(builder: SelectQueryBuilder<Client>, skip: number, take: number): Promise<number[]> {
    const rows = await builder
      .select('client.id', 'id')
      .orderBy('client.id', 'DESC')
      .offset(skip || undefined)
      .limit(take)
      .getRawMany<{ id: number | string }>();
    return rows.map((row) => Number(row.id));
  }

  /** The number of matches, exact below TOTAL_COUNT_CAP or when asked; else the cap, flagged as not exact. */
  private async countMatches(query: ClientListQuery, topFloor?: number | null): Promise<[number, boolean]> {
    const sampled = this.samplesSearch(query) && query.total !== 'exact' ? await this.countSearchSample(query, topFloor) : undefined;
    if (sampled) return sampled;
    // Counting a bounded subquery reads at most cap + 1 index entries, whatever the size of the table.
    const count = await this.count(this.matching(query), query.total === 'exact' ? undefined : TOTAL_COUNT_CAP + 1);
    return count > TOTAL_COUNT_CAP && query.total !== 'exact' ? [TOTAL_COUNT_CAP, false] : [count, true];
  }

  /**
   * A search's count on MariaDB from the SEARCH_SAMPLE_ROWS newest candidates. When they are all the
   * candidates, their matches are the count. When the sample's share of matches says the index would
   * return more than TOTAL_COUNT_CAP matches (seconds at a million records), the sample's matches, flagged
   * as "at least this many" (total_exact false). When most candidates below match, they are read one by
   * one (cheaper than the index); otherwise undefined: the index counts its few matches.
   */
  private async countSearchSample(query: ClientListQuery, topFloor?: number | null): Promise<[number, boolean] | undefined> {
    // The first page's sample is the count's: its floor is not looked up twice.
    const floor = topFloor !== undefined ? topFloor : await this.sampleFloor(query, null);
    const inSample = await this.count(this.matching(query, { fromId: floor, reading: 'scan' }));
    if (floor === null) return [inSample, true];
    const [top] = await this.ids(this.matching(query, { reading: 'none' }), 0, 1);
    // The sample spans the ids floor..top; the ids below it hold about (floor - 1) / span times as many.
    const below = (floor - 1) / (top - floor + 1);
    const [candidatesBelow, matchesBelow] = [SEARCH_SAMPLE_ROWS * below, inSample * below];
    if (matchesBelow > TOTAL_COUNT_CAP) return [inSample, false];
    // The index costs about three times per match what reading a record costs (bench/RESULTS.md, Scale).
    if (candidatesBelow > 3 * matchesBelow) return undefined;
    return [inSample + (await this.count(this.matching(query, { afterId: floor, reading: 'scan' }))), true];
  }

  /** COUNT(*) of the query's rows, reading at most `cap` of them when given. */
  private async count(matches: SelectQueryBuilder<Client>, cap?: number): Promise<number> {
    const capped = matches.select('client.id');
    if (cap !== undefined) capped.limit(cap);
    const row = await this.clients.manager
      .createQueryBuilder()
      .select('COUNT(*)', 'count')
      .from(`(${capped.getQuery()})`, 'capped')
      .setParameters(capped.getParameters())
      .getRawOne<{ count: number | string }>();
    return Number(row?.count ?? 0);
  }

  /**
   * The records a list reads: the query's filters and search, below afterId and from fromId on (ids).
   * `reading` says how a search is read (record-search.ts), or `none` to leave the search out.
   */
  private matching(query: ClientListQuery, range: MatchRange = {}): SelectQueryBuilder<Client> {
    const { afterId = null, fromId = null, reading = 'index' } = range;
    const builder = this.clients.createQueryBuilder('client');
    if (query.context_status) builder.andWhere('client.context_status = :status', { status: query.context_status });
    if (afterId !== null) builder.andWhere('client.id < :afterId', { afterId });
    if (fromId !== null) builder.andWhere('client.id >= :fromId', { fromId });
    if (reading !== 'none' && query.search !== undefined && query.search !== '') whereSearchMatches(builder, query.search, reading);
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
