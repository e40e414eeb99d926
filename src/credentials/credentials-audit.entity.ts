import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Why a reveal of stored credentials was answered the way it was; `revealed` is the only one that showed them. */
export const REVEAL_OUTCOMES = ['revealed', 'disabled', 'no_token', 'api_token', 'wrong_token', 'not_found', 'unreadable'] as const;
export type RevealOutcome = (typeof REVEAL_OUTCOMES)[number];

/** One attempt to read a record's credentials back, allowed or refused. Rows are only ever added. */
@Entity({ name: 'credentials_audit' })
@Index('credentials_audit_client', ['client_id', 'id'])
export class CredentialsAuditEntry {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'datetime', precision: 3 })
  created_at: Date;

  /** The record asked for; kept after the record is deleted (no foreign key), as an audit should be. */
  @Column({ type: 'int' })
  client_id: number;

  /** The caller's address as the rate limit sees it (TRUST_PROXY), or "cli" for an operator at the machine. */
  @Column({ type: 'varchar', length: 64 })
  caller: string;

  /** The first 12 hex characters of the SHA-256 of the bearer token sent; null when none was (or from the CLI). */
  @Column({ type: 'varchar', length: 16, nullable: true })
  token_fingerprint: string | null;

  @Column({ type: 'boolean' })
  allowed: boolean;

  @Column({ type: 'varchar', length: 32 })
  reason: RevealOutcome;
}
