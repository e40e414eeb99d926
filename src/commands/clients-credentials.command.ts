import { Command, CommandRunner, Option } from 'nest-commander';
import { ClientNotFoundError } from '../clients/clients.errors';
import { MAX_ID } from '../clients/parse-id.pipe';
import { toAuditResponse } from '../credentials/credentials-audit.response';
import { CredentialsAuditService } from '../credentials/credentials-audit.service';
import { CredentialsUnreadableError, RevealRefusedError } from '../credentials/credentials.errors';
import { CredentialsService } from '../credentials/credentials.service';
import { MAX_AUDIT_PAGE_SIZE } from '../credentials/dto/list-audit.query';
import { CheckFailedError } from './cli-errors';
import { printJson, printLine, printTable } from './output';
import { parseCount } from './parse-options';

type JsonOption = { json?: boolean };

@Command({
  name: 'clients:credentials',
  arguments: '<id>',
  description: 'Show a record\'s stored credentials in clear (audited, caller "cli"; only while CREDENTIALS_TOKEN is set)',
  argsDescription: { id: 'the record id' },
})
export class ClientsCredentialsCommand extends CommandRunner {
  constructor(private readonly credentials: CredentialsService) {
    super();
  }

  async run([id]: string[], options: JsonOption = {}): Promise<void> {
    const clientId = parseCount('id', id, 1, MAX_ID);
    let credentials;
    try {
      credentials = await this.credentials.revealToOperator(clientId);
    } catch (error) {
      if (error instanceof RevealRefusedError || error instanceof ClientNotFoundError || error instanceof CredentialsUnreadableError) {
        throw new CheckFailedError(error.message);
      }
      throw error;
    }
    if (options.json) return printJson(credentials);
    // Whole values (a table would cut long ones), one per line.
    for (const [field, value] of Object.entries(credentials)) printLine(`${`${field}:`.padEnd(14)}${value}`);
  }

  @Option({ flags: '--json', description: 'print JSON for scripts' })
  parseJson(): boolean {
    return true;
  }
}

type AuditOptions = JsonOption & { limit?: number };

@Command({
  name: 'clients:credentials-audit',
  arguments: '[id]',
  description: 'List the attempts to reveal stored credentials, newest first: when, record, caller, token fingerprint, allowed, reason',
  argsDescription: { id: 'only this record (default: every record)' },
})
export class ClientsCredentialsAuditCommand extends CommandRunner {
  constructor(private readonly audit: CredentialsAuditService) {
    super();
  }

  async run([id]: string[], options: AuditOptions = {}): Promise<void> {
    const clientId = id === undefined ? undefined : parseCount('id', id, 1, MAX_ID);
    const page = await this.audit.list(clientId, 1, options.limit ?? 100);
    const entries = page.data.map(toAuditResponse);
    if (options.json) return printJson(entries);
    if (entries.length === 0) return printLine('No attempt to reveal credentials.');
    printTable(
      ['when', 'client', 'caller', 'token', 'allowed', 'reason'],
      entries.map((entry) => [
        entry.created_at,
        String(entry.client_id),
        entry.caller,
        entry.token_fingerprint ?? '-',
        entry.allowed ? 'yes' : 'no',
        entry.reason,
      ]),
    );
    printLine(`\n${entries.length} of ${page.meta.total} attempt(s).`);
  }

  @Option({ flags: '--json', description: 'print JSON for scripts' })
  parseJson(): boolean {
    return true;
  }

  @Option({ flags: '--limit <n>', description: `at most this many, newest first (1 to ${MAX_AUDIT_PAGE_SIZE}, default 100)` })
  parseLimit(value: string): number {
    return parseCount('--limit', value, 1, MAX_AUDIT_PAGE_SIZE);
  }
}
