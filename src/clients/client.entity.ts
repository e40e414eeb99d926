import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { ContextStatus } from '../company-context/context-status';

// Column names are kept from the Laravel system this replaces (table `autoseo`).
@Entity({ name: 'autoseo' })
@Index('autoseo_context_queue', ['context_status', 'context_available_at'])
@Index('autoseo_status_id', ['context_status', 'id', 'context_version'])
@Index('autoseo_context_failed', ['context_status', 'context_failed_at'])
@Index('autoseo_context_processed_at', ['context_processed_at'])
export class Client {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 255 })
  client_name: string;

  @Column({ type: 'varchar', length: 255 })
  client_email: string;

  @Column({ type: 'varchar', length: 255 })
  url: string;

  @Column({ type: 'varchar', length: 255 })
  username: string;

  /** Encrypted (see SecretBox); never leaves the service. */
  @Column({ type: 'text' })
  password: string;

  @Column({ type: 'varchar', length: 255 })
  user_app: string;

  /** Encrypted (see SecretBox); never leaves the service. */
  @Column({ type: 'text' })
  password_app: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  CompanyName: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  AddressLine1: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  Locality: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  AdminDistrict: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  PostalCode: string | null;

  @Column({ type: 'varchar', length: 2, nullable: true })
  CountryRegion: string | null;

  @Column({ type: 'text' })
  company_context: string;

  @Column({ type: 'text' })
  company_context_original: string;

  @Column({ type: 'varchar', length: 16 })
  context_status: ContextStatus;

  /** Bumped each time a new original is submitted or reprocessing is asked for; part of the job id. */
  @Column({ type: 'int' })
  context_version: number;

  @Column({ type: 'int' })
  context_attempts: number;

  @Column({ type: 'varchar', length: 500, nullable: true })
  context_error: string | null;

  /** How long the last AI call for the current original took, in milliseconds; null before the first call. */
  @Column({ type: 'int', nullable: true })
  context_ai_ms: number | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  context_processed_at: Date | null;

  /** When the job became due: queued at, or the end of its retry backoff. Null once it is done. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  context_available_at: Date | null;

  /** When the current attempt started; a claim older than JOB_TIMEOUT_MS is taken over. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  context_claimed_at: Date | null;

  /** When the job failed for good; null once an operator forgets it (queue:forget, queue:flush) or it restarts. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  context_failed_at: Date | null;

  /** Identifies the attempt allowed to write the result, so a result is written once. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  context_claim_token: string | null;

  @Column({ type: 'varchar', length: 8 })
  pin: string;

  @Column({ type: 'datetime', precision: 3 })
  created_at: Date;

  @Column({ type: 'datetime', precision: 3 })
  updated_at: Date;
}
