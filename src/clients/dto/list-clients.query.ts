import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { CONTEXT_STATUSES, ContextStatus } from '../../context/context-status';

export const MAX_PAGE_SIZE = 100;

/** GET /clients?page=1&limit=20&context_status=failed */
export class ListClientsQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1_000_000, default: 1, description: 'The page, from 1' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page = 1;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 20, description: 'Records per page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit = 20;

  @ApiPropertyOptional({ enum: CONTEXT_STATUSES, enumName: 'ContextStatus', description: 'Only the records in this state' })
  @IsOptional()
  @IsIn(CONTEXT_STATUSES, { message: `context_status must be one of: ${CONTEXT_STATUSES.join(', ')}` })
  context_status?: ContextStatus;
}
