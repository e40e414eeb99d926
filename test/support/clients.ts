let sequence = 0;

/** A company description of `length` characters (the API takes 100 to 2000). */
export function companyContext(label = 'Acme', length = 300): string {
  const base =
    `${label} es una empresa familiar de Valencia dedicada a la fabricación de muebles de madera maciza ` +
    'para hogares y oficinas, con tienda propia, envíos a toda España y un taller de restauración. ';
  return base.repeat(Math.ceil(length / base.length)).slice(0, length);
}

/** A valid create body; `overrides` replace or add fields (use undefined to leave one out). */
export function clientBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  sequence += 1;
  const body: Record<string, unknown> = {
    client_name: `Cliente ${sequence}`,
    client_email: `cliente${sequence}@example.com`,
    url: `https://cliente${sequence}.example.com`,
    username: `user${sequence}`,
    password: `S3cret-password-${sequence}`,
    user_app: `app-user${sequence}`,
    password_app: `App-s3cret-${sequence}`,
    CompanyName: `Muebles ${sequence} S.L.`,
    AddressLine1: 'Calle Mayor 1',
    Locality: 'Valencia',
    AdminDistrict: 'Valencia',
    PostalCode: '46001',
    CountryRegion: 'ES',
    company_context: companyContext(`Muebles ${sequence}`),
    ...overrides,
  };
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
  return body;
}

/** The columns the background job writes on its own: what a test leaves out when it checks that a request changed nothing else. */
export const JOB_COLUMNS = [
  'company_context',
  'context_status',
  'context_attempts',
  'context_error',
  'context_ai_ms',
  'context_processed_at',
  'context_available_at',
  'context_failed_at',
  'context_claimed_at',
  'context_claim_token',
  'updated_at',
];
