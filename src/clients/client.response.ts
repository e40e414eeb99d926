import { ApiProperty } from '@nestjs/swagger';
import { Client } from './client.entity';
import { CONTEXT_STATUSES, ContextStatus } from '../company-context/context-status';
import { TOTAL_COUNT_CAP } from './dto/list-clients.query';

const Nullable = (description: string, example: string, maxLength = 255) =>
  ApiProperty({ type: String, nullable: true, maxLength, description, example });

/** The record as the API shows it: the passwords and the job bookkeeping columns never leave the service. */
export class ClientResponse {
  @ApiProperty({ type: 'integer', readOnly: true, example: 1 })
  id: number;

  @ApiProperty({ type: String, maxLength: 255, example: 'Muebles Ejemplo' })
  client_name: string;

  @ApiProperty({ type: String, maxLength: 255, example: 'info@example.com' })
  client_email: string;

  @ApiProperty({ type: String, maxLength: 255, example: 'https://example.com' })
  url: string;

  @ApiProperty({ type: String, maxLength: 255, example: 'admin' })
  username: string;

  @ApiProperty({ type: String, maxLength: 255, example: 'app' })
  user_app: string;

  @Nullable('Legal name', 'Muebles Ejemplo S.L.')
  CompanyName: string | null;

  @Nullable('Street address', 'Calle Mayor 1')
  AddressLine1: string | null;

  @Nullable('City or town', 'Valencia')
  Locality: string | null;

  @Nullable('Province or region', 'Valencia')
  AdminDistrict: string | null;

  @Nullable('Postal code', '46001', 20)
  PostalCode: string | null;

  @Nullable('ISO 3166-1 alpha-2 country code, upper case', 'ES', 2)
  CountryRegion: string | null;

  @ApiProperty({
    type: String,
    readOnly: true,
    description: 'The description shown to users: the original text until the AI has rewritten it, then the rewrite',
  })
  company_context: string;

  @ApiProperty({ type: String, readOnly: true, description: 'The text as it was last submitted (POST or PATCH)' })
  company_context_original: string;

  @ApiProperty({
    enum: CONTEXT_STATUSES,
    enumName: 'ContextStatus',
    readOnly: true,
    description: 'pending → processing → processed | failed; see docs/API.md',
    example: ContextStatus.Pending,
  })
  context_status: ContextStatus;

  @ApiProperty({ type: 'integer', readOnly: true, description: 'AI attempts made for the current text', example: 0 })
  context_attempts: number;

  @ApiProperty({
    type: String,
    nullable: true,
    readOnly: true,
    maxLength: 500,
    description: 'Why the last attempt failed; null once the text is processed or restarted',
    example: null,
  })
  context_error: string | null;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    readOnly: true,
    description: 'How long the last AI call for the current text took, in milliseconds (to tune AI_TIMEOUT_MS); null before the first call',
    example: 8400,
  })
  context_ai_ms: number | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, readOnly: true, description: 'When the AI rewrite was stored' })
  context_processed_at: string | null;

  @ApiProperty({ type: String, readOnly: true, description: 'Eight hexadecimal characters, random, set at creation', example: '3f9a1c07' })
  pin: string;

  @ApiProperty({ type: String, format: 'date-time', readOnly: true })
  created_at: string;

  @ApiProperty({ type: String, format: 'date-time', readOnly: true })
  updated_at: string;
}

export class PageMeta {
  @ApiProperty({ type: 'integer', description: 'The page answered, from 1', example: 1 })
  page: number;

  @ApiProperty({ type: 'integer', description: 'Records per page', example: 20 })
  limit: number;

  @ApiProperty({ type: 'integer', description: 'Records matching the filter, over all pages', example: 1 })
  total: number;
}

/** GET /clients's meta: numbered pages for compatibility, a cursor for walking, a count that stays cheap at any size. */
export class ClientPageMeta {
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'The page answered, from 1; null for a page reached by `cursor`',
    example: 1,
  })
  page: number | null;

  @ApiProperty({ type: 'integer', description: 'Records per page', example: 20 })
  limit: number;

  @ApiProperty({
    type: 'integer',
    description:
      `Records matching the filter, over all pages, counted up to ${TOTAL_COUNT_CAP}: when more match, this is ${TOTAL_COUNT_CAP} ` +
      'and `total_exact` is false. Ask `total=exact` for the full count (it reads every match).',
    example: 1,
  })
  total: number;

  @ApiProperty({
    type: Boolean,
    description: `false when \`total\` stopped at ${TOTAL_COUNT_CAP} (at least that many match)`,
    example: true,
  })
  total_exact: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` (with the same filter and limit) for the next page; null on the last page',
    example: 'YzE6MTIzNDU',
  })
  next_cursor: string | null;
}

/** GET /clients: one page of records, newest first. */
export class ClientPageResponse {
  @ApiProperty({ type: [ClientResponse] })
  data: ClientResponse[];

  @ApiProperty({ type: ClientPageMeta })
  meta: ClientPageMeta;
}

export function toClientResponse(client: Client): ClientResponse {
  return {
    id: client.id,
    client_name: client.client_name,
    client_email: client.client_email,
    url: client.url,
    username: client.username,
    user_app: client.user_app,
    CompanyName: client.CompanyName ?? null,
    AddressLine1: client.AddressLine1 ?? null,
    Locality: client.Locality ?? null,
    AdminDistrict: client.AdminDistrict ?? null,
    PostalCode: client.PostalCode ?? null,
    CountryRegion: client.CountryRegion ?? null,
    company_context: client.company_context,
    company_context_original: client.company_context_original,
    context_status: client.context_status,
    context_attempts: client.context_attempts,
    context_error: client.context_error,
    context_ai_ms: client.context_ai_ms ?? null,
    context_processed_at: client.context_processed_at?.toISOString() ?? null,
    pin: client.pin,
    created_at: client.created_at.toISOString(),
    updated_at: client.updated_at.toISOString(),
  };
}
