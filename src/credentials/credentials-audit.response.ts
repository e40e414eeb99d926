import { CredentialsAuditEntry } from './credentials-audit.entity';
import { CredentialsAuditResponse } from './credentials.response';

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
