import { CredentialsAuditEntry, RevealOutcome } from './credentials-audit.entity';

export interface CredentialsAuditResponse {
  id: number;
  created_at: string;
  client_id: number;
  caller: string;
  token_fingerprint: string | null;
  allowed: boolean;
  reason: RevealOutcome;
}

export function toAuditResponse(entry: CredentialsAuditEntry): CredentialsAuditResponse {
  return {
    id: entry.id,
    created_at: entry.created_at.toISOString(),
    client_id: entry.client_id,
    caller: entry.caller,
    token_fingerprint: entry.token_fingerprint,
    // MySQL answers a boolean column as 0/1.
    allowed: Boolean(entry.allowed),
    reason: entry.reason,
  };
}
