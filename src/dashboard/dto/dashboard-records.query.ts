import { IsOptional, IsString, MaxLength } from 'class-validator';
import { ListClientsQuery } from '../../clients/dto/list-clients.query';

/**
 * GET /dashboard/api/records: the API's list query, plus a search by the words of the client's name and e-mail
 * (src/clients/record-search.ts).
 */
export class DashboardRecordsQuery extends ListClientsQuery {
  @IsOptional()
  @IsString()
  @MaxLength(255)
  search?: string;
}
