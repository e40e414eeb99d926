import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { CONTEXT_STATUSES, ContextStatus } from '../../context/context-status';

export const MAX_PAGE_SIZE = 100;

/** GET /clients?page=1&limit=20&context_status=failed */
export class ListClientsQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page = 1;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit = 20;

  @IsOptional()
  @IsIn(CONTEXT_STATUSES, { message: `context_status must be one of: ${CONTEXT_STATUSES.join(', ')}` })
  context_status?: ContextStatus;
}
