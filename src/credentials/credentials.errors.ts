import { RevealOutcome } from './credentials-audit.entity';

export type Refusal = Extract<RevealOutcome, 'disabled' | 'no_token' | 'api_token' | 'wrong_token'>;

const REFUSALS: Record<Refusal, string> = {
  disabled: 'Revealing stored credentials is turned off: the service has no CREDENTIALS_TOKEN',
  no_token: 'Missing credentials token: send the header Authorization: Bearer <CREDENTIALS_TOKEN>',
  api_token: 'The API token cannot reveal stored credentials: send Authorization: Bearer <CREDENTIALS_TOKEN>',
  wrong_token: 'Invalid credentials token',
};

/** The caller may not read credentials back: no CREDENTIALS_TOKEN configured, or not that token in the request. */
export class RevealRefusedError extends Error {
  constructor(readonly refusal: Refusal) {
    super(REFUSALS[refusal]);
    this.name = 'RevealRefusedError';
  }
}

/** The stored passwords do not open with the configured keys: sealed with a key that was rotated away, or altered. */
export class CredentialsUnreadableError extends Error {
  constructor(
    readonly clientId: number,
    reason: string,
  ) {
    super(
      `The credentials of client ${clientId} cannot be decrypted (${reason}). After an APP_KEY rotation, list the old key in ` +
        `APP_PREVIOUS_KEYS and run key:rotate; or store the passwords again with PATCH /clients/${clientId}`,
    );
    this.name = 'CredentialsUnreadableError';
  }
}
