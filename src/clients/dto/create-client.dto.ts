import { Transform } from 'class-transformer';
import { IsEmail, IsISO31661Alpha2, IsNotEmpty, IsOptional, IsString, IsUrl, Length, MaxLength } from 'class-validator';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const Text = (example: string, extra: { writeOnly?: boolean; description?: string } = {}) =>
  applyDecorators(IsString(), IsNotEmpty(), MaxLength(255), ApiProperty({ type: String, minLength: 1, maxLength: 255, example, ...extra }));
const OptionalText = (example: string, description: string, max = 255) =>
  applyDecorators(
    IsOptional(),
    IsString(),
    MaxLength(max),
    ApiPropertyOptional({ type: String, nullable: true, maxLength: max, example, description }),
  );

/** POST /clients. Field names are the record's columns; docs/API.md describes each (openapi.json holds the limits). */
export class CreateClientDto {
  @Text('Muebles Ejemplo', { description: "The client's name" })
  client_name: string;

  @ApiProperty({ type: String, format: 'email', maxLength: 255, example: 'info@example.com' })
  @IsEmail({}, { message: 'client_email must be an email address' })
  @MaxLength(255)
  client_email: string;

  @ApiProperty({
    type: String,
    format: 'uri',
    maxLength: 255,
    pattern: '^https?://',
    example: 'https://example.com',
    description: 'http(s) URL with its protocol',
  })
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true },
    { message: 'url must be an http(s) URL with a protocol, e.g. https://example.com' },
  )
  @MaxLength(255)
  url: string;

  @Text('admin', { description: "Login on the client's site" })
  username: string;

  @Text('s3cret', { writeOnly: true, description: 'Stored encrypted; never answered' })
  password: string;

  @Text('app', { description: "Login on the client's app" })
  user_app: string;

  @Text('s3cret-app', { writeOnly: true, description: 'Stored encrypted; never answered' })
  password_app: string;

  @OptionalText('Muebles Ejemplo S.L.', 'Legal name')
  CompanyName?: string | null;

  @OptionalText('Calle Mayor 1', 'Street address')
  AddressLine1?: string | null;

  @OptionalText('Valencia', 'City or town')
  Locality?: string | null;

  @OptionalText('Valencia', 'Province or region')
  AdminDistrict?: string | null;

  @OptionalText('46001', 'Postal code', 20)
  PostalCode?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    pattern: '^[A-Za-z]{2}$',
    example: 'ES',
    description: 'ISO 3166-1 alpha-2 country code; stored upper case',
  })
  @IsOptional()
  @IsISO31661Alpha2({ message: 'CountryRegion must be an ISO 3166-1 alpha-2 country code, e.g. ES' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value))
  CountryRegion?: string | null;

  @ApiProperty({
    type: String,
    minLength: 100,
    maxLength: 2000,
    description: 'The company described as typed; the AI rewrites it in the background into company_context',
    example: 'Muebles Ejemplo es una empresa familiar de Valencia que fabrica muebles de madera maciza para hogares y oficinas desde 1985.',
  })
  @IsString()
  @Length(100, 2000, { message: 'company_context must be 100 to 2000 characters long' })
  company_context: string;
}
