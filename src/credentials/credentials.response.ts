import { ApiProperty } from '@nestjs/swagger';
import { PageMeta } from '../clients/client.response';
import { REVEAL_OUTCOMES, RevealOutcome } from './credentials-audit.entity';
import { Credentials } from './credentials.service';

/** A record's two logins for the client's site, in clear (GET /clients/{id}/credentials). */
export class CredentialsResponse implements Credentials {
  @ApiProperty({ type: String, maxLength: 255, example: 'admin' })
  username: string;

  @ApiProperty({ type: String, maxLength: 255, description: 'In clear: the answer is never cached (Cache-Control: no-store)' })
  password: string;

  @ApiProperty({ type: String, maxLength: 255, example: 'app' })
  user_app: string;

  @ApiProperty({ type: String, maxLength: 255, description: 'In clear, like `password`' })
  password_app: string;
}

/** One attempt to reveal a record's credentials, allowed or refused. */
export class CredentialsAuditResponse {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;

  @ApiProperty({ type: String, format: 'date-time' })
  created_at: string;

  @ApiProperty({ type: 'integer', example: 1 })
  client_id: number;

  @ApiProperty({ type: String, description: 'The caller\'s address (as TRUST_PROXY allows it), or "cli" for clients:credentials' })
  caller: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The first 12 hex characters of the SHA-256 of the token sent (printf %s "$TOKEN" | sha256sum | cut -c1-12); null when none',
    example: '3fa9c2e1b044',
  })
  token_fingerprint: string | null;

  @ApiProperty({ type: Boolean })
  allowed: boolean;

  @ApiProperty({ enum: REVEAL_OUTCOMES, enumName: 'RevealOutcome', description: 'What came of the attempt' })
  reason: RevealOutcome;
}

export class CredentialsAuditPage {
  @ApiProperty({ type: [CredentialsAuditResponse] })
  data: CredentialsAuditResponse[];

  @ApiProperty({ type: PageMeta })
  meta: PageMeta;
}
