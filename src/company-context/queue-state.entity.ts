import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Settings of a queue that every worker of the `database` driver reads: today, whether it is paused. */
@Entity('queue_state')
export class QueueState {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  queue: string;

  @Column({ type: 'boolean', default: false })
  paused: boolean;

  @Column({ type: 'datetime', precision: 3 })
  updated_at: Date;
}
