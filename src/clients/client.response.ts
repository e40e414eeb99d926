import { Client } from './client.entity';
import { ContextStatus } from '../context/context-status';

/** The record as the API shows it: the passwords and the job bookkeeping columns never leave the service. */
export interface ClientResponse {
  id: number;
  client_name: string;
  client_email: string;
  url: string;
  username: string;
  user_app: string;
  CompanyName: string | null;
  AddressLine1: string | null;
  Locality: string | null;
  AdminDistrict: string | null;
  PostalCode: string | null;
  CountryRegion: string | null;
  company_context: string;
  company_context_original: string;
  context_status: ContextStatus;
  context_attempts: number;
  context_error: string | null;
  /** How long the last AI call for the current original took (ms); null before the first call. */
  context_ai_ms: number | null;
  context_processed_at: string | null;
  pin: string;
  created_at: string;
  updated_at: string;
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
