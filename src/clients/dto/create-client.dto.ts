import { Transform } from 'class-transformer';
import { IsEmail, IsISO31661Alpha2, IsNotEmpty, IsOptional, IsString, IsUrl, Length, MaxLength } from 'class-validator';
import { applyDecorators } from '@nestjs/common';

const Text = (max = 255) => applyDecorators(IsString(), IsNotEmpty(), MaxLength(max));
const OptionalText = (max = 255) => applyDecorators(IsOptional(), IsString(), MaxLength(max));

/** POST /clients. Field names are the record's (../shared/PRODUCT.md, "The record"). */
export class CreateClientDto {
  @Text()
  client_name: string;

  @IsEmail({}, { message: 'client_email must be an email address' })
  @MaxLength(255)
  client_email: string;

  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true },
    { message: 'url must be an http(s) URL with a protocol, e.g. https://example.com' },
  )
  @MaxLength(255)
  url: string;

  @Text()
  username: string;

  @Text()
  password: string;

  @Text()
  user_app: string;

  @Text()
  password_app: string;

  @OptionalText()
  CompanyName?: string | null;

  @OptionalText()
  AddressLine1?: string | null;

  @OptionalText()
  Locality?: string | null;

  @OptionalText()
  AdminDistrict?: string | null;

  @OptionalText(20)
  PostalCode?: string | null;

  @IsOptional()
  @IsISO31661Alpha2({ message: 'CountryRegion must be an ISO 3166-1 alpha-2 country code, e.g. ES' })
  @Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value))
  CountryRegion?: string | null;

  @IsString()
  @Length(100, 2000, { message: 'company_context must be 100 to 2000 characters long' })
  company_context: string;
}
