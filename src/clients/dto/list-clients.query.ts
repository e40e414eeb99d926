import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { CONTEXT_STATUSES, ContextStatus } from '../../company-context/context-status';
import { IsPageCursor, NotWithPage } from '../page-cursor';

export const MAX_PAGE_SIZE = 100;
/** Matches are counted up to this many; above it meta.total says "at least this many" unless total=exact is asked. */
export const TOTAL_COUNT_CAP = 10_000;

/** GET /clients?page=1&limit=20&context_status=failed, or ?cursor=<meta.next_cursor> for the next page. */
export class ListClientsQuery {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 1_000_000,
    default: 1,
    description: 'The page, from 1, by offset: its cost grows with the page number; use `cursor` to walk deep. Not with `cursor`.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page?: number;

  @ApiPropertyOptional({
    type: String,
    description:
      'Where the page starts: the `meta.next_cursor` of the previous page (same `context_status` and `limit`). ' +
      'Its cost does not grow with depth, and records created during a walk neither shift nor repeat a page.',
    example: 'YzE6MTIzNDU',
  })
  @IsOptional()
  @IsPageCursor()
  @NotWithPage()
  cursor?: string;

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

  @ApiPropertyOptional({
    enum: ['exact'],
    description:
      `Count every match for \`meta.total\`. Without it matches are counted up to ${TOTAL_COUNT_CAP}: ` +
      'cheap at any table size, exact below the cap (`meta.total_exact`). An exact count reads every match.',
  })
  @IsOptional()
  @IsIn(['exact'], { message: 'total can only be exact (or be left out)' })
  total?: 'exact';
}
