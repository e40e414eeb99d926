import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Client } from '../clients/client.entity';
import { ClientNotFoundError } from '../clients/clients.errors';
import { AppConfig } from '../config/app-config';
import { bearerToken, ExpectedToken, tokenFingerprint } from '../security/bearer-token';
import { SecretBox, SecretDecryptionError } from '../security/secret-box';
import { CredentialsAuditService, RevealAttempt } from './credentials-audit.service';
import { CredentialsUnreadableError, Refusal, RevealRefusedError } from './credentials.errors';

/** A record's two logins for the client's site, in clear. */
export interface Credentials {
  username: string;
  password: string;
  user_app: string;
  password_app: string;
}

/** The caller recorded for an operator at the machine (clients:credentials). */
export const CLI_CALLER = 'cli';

/**
 * Reads stored credentials back, for the tools that log in to the client's site. Only CREDENTIALS_TOKEN
 * opens them (API_TOKEN does not), without it nothing does, and every attempt is audited before it is answered.
 */
@Injectable()
export class CredentialsService {
  private readonly credentialsToken?: ExpectedToken;
  private readonly apiToken?: ExpectedToken;

  constructor(
    config: AppConfig,
    @InjectRepository(Client) private readonly clients: Repository<Client>,
    private readonly secrets: SecretBox,
    private readonly audit: CredentialsAuditService,
  ) {
    const { credentialsToken, apiToken } = config.security;
    this.credentialsToken = credentialsToken === undefined ? undefined : new ExpectedToken(credentialsToken);
    this.apiToken = apiToken === undefined ? undefined : new ExpectedToken(apiToken);
  }

  /** GET /clients/:id/credentials: the bearer token of the request decides. */
  async revealToCaller(clientId: number, caller: string, authorization: string | undefined): Promise<Credentials> {
    const token = bearerToken(authorization);
    const attempt = { clientId, caller, tokenFingerprint: token === undefined ? null : tokenFingerprint(token) };
    const refusal = this.refusal(token);
    if (refusal) {
      await this.audit.record(attempt, refusal);
      throw new RevealRefusedError(refusal);
    }
    return this.reveal(attempt);
  }

  /** clients:credentials: an operator at the machine already holds the configuration; still only while reveals are on. */
  async revealToOperator(clientId: number): Promise<Credentials> {
    const attempt = { clientId, caller: CLI_CALLER, tokenFingerprint: null };
    if (!this.credentialsToken) {
      await this.audit.record(attempt, 'disabled');
      throw new RevealRefusedError('disabled');
    }
    return this.reveal(attempt);
  }

  private refusal(token: string | undefined): Refusal | null {
    if (!this.credentialsToken) return 'disabled';
    if (token === undefined) return 'no_token';
    if (this.credentialsToken.matches(token)) return null;
    return this.apiToken?.matches(token) ? 'api_token' : 'wrong_token';
  }

  private async reveal(attempt: RevealAttempt): Promise<Credentials> {
    const { clientId } = attempt;
    const client = await this.clients.findOne({
      where: { id: clientId },
      select: { id: true, username: true, password: true, user_app: true, password_app: true },
    });
    if (!client) {
      await this.audit.record(attempt, 'not_found');
      throw new ClientNotFoundError(clientId);
    }
    let credentials: Credentials;
    try {
      credentials = {
        username: client.username,
        password: this.secrets.open(client.password),
        user_app: client.user_app,
        password_app: this.secrets.open(client.password_app),
      };
    } catch (error) {
      if (!(error instanceof SecretDecryptionError)) throw error;
      await this.audit.record(attempt, 'unreadable');
      throw new CredentialsUnreadableError(clientId, error.reason);
    }
    // Recorded before anything is answered: a reveal the audit could not store is not made.
    await this.audit.record(attempt, 'revealed');
    return credentials;
  }
}
