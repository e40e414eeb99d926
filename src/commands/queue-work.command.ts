import { Command, Option } from 'nest-commander';
import { setTimeout as delay } from 'node:timers/promises';
import { CompanyContextProcessor } from '../company-context/company-context.processor';
import { AttemptOutcome } from '../company-context/queue-driver';
import { companyContextJobId, CompanyContextJob } from '../company-context/company-context.job';
import { QueueWorker } from '../company-context/queue-worker';
import { LineWriter } from '../logging/line-writer';
import { MetricsListener } from '../metrics/metrics-listener';
import { parseCount } from './parse-options';
import { QueueCommand } from './queue-command';
import { printLine } from './output';

type WorkOptions = {
  concurrency?: number;
  once?: boolean;
  stopWhenEmpty?: boolean;
};

/** How often --once / --stop-when-empty look at the queue (and redraw the progress line). */
const CHECK_EVERY_MS = 250;

/** Waits for SIGTERM or SIGINT; the caller then stops the worker, which lets the jobs in flight finish. */
function untilStopSignal(): { signal: Promise<string>; dispose: () => void } {
  let stop: (signal: string) => void = () => undefined;
  const signal = new Promise<string>((resolve) => {
    stop = (name: string) => resolve(name);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  return { signal, dispose: () => (process.off('SIGTERM', stop), process.off('SIGINT', stop)) };
}

/** Counts what this worker did; on a terminal, one progress line redrawn in place, else one line per job. */
class WorkProgress {
  readonly tally: Record<AttemptOutcome['kind'], number> = { processed: 0, retry: 0, postponed: 0, failed: 0, skipped: 0, discarded: 0 };
  private left = 0;
  /** The per-job lines, gathered like the log lines (one write per 50 ms, all written by the end). */
  private readonly jobLines?: LineWriter;

  constructor(private readonly terminal: boolean) {
    if (!terminal) this.jobLines = new LineWriter(1, { batch: true });
  }

  /** Jobs finished by this worker (a retry is not finished). */
  get done(): number {
    return this.tally.processed + this.tally.failed + this.tally.skipped + this.tally.discarded;
  }

  record(job: CompanyContextJob, outcome: AttemptOutcome): void {
    this.tally[outcome.kind] += 1;
    if (this.terminal) return this.draw();
    const detail =
      outcome.kind === 'retry' || outcome.kind === 'postponed'
        ? ` (${outcome.error.message}; next try in ${outcome.delayMs} ms)`
        : outcome.kind === 'failed'
          ? ` (${outcome.error.message})`
          : '';
    this.jobLines?.write(`${companyContextJobId(job)} ${outcome.kind}${detail}\n`);
  }

  update(left: number): void {
    this.left = left;
    if (this.terminal) this.draw();
  }

  summary(): string {
    const { processed, failed, retry, postponed, skipped, discarded } = this.tally;
    const counts = `processed ${processed}, failed ${failed}, retried ${retry}, skipped ${skipped + discarded}`;
    return postponed ? `${counts}, postponed (AI down) ${postponed}` : counts;
  }

  finish(): void {
    this.jobLines?.writeImmediately();
    if (this.terminal) process.stdout.write('\n');
    printLine(`Worker done: ${this.summary()}.`);
  }

  private draw(): void {
    process.stdout.write(`\r\x1b[Kdone ${this.done} / left ${this.left} (${this.summary()})`);
  }
}

@Command({
  name: 'queue:work',
  description: 'Run a worker with no HTTP server, until SIGTERM/SIGINT (or --once / --stop-when-empty)',
})
export class QueueWorkCommand extends QueueCommand<WorkOptions> {
  constructor(
    private readonly worker: QueueWorker,
    private readonly processor: CompanyContextProcessor,
    private readonly metricsListener: MetricsListener,
  ) {
    super();
  }

  protected async execute(_args: string[], options: WorkOptions): Promise<void> {
    const progress = new WorkProgress(Boolean(process.stdout.isTTY));
    const unsubscribe = this.processor.onOutcome((job, outcome) => progress.record(job, outcome));
    const stopSignal = untilStopSignal();
    const finite = Boolean(options.once || options.stopWhenEmpty);
    const stopped = { value: false };
    try {
      // METRICS_PORT: Prometheus scrapes this worker too (a bad port ends the command before any job is taken).
      const metricsUrl = await this.metricsListener.start();
      if (metricsUrl) printLine(`Metrics on ${metricsUrl}`);
      const concurrency = options.concurrency ?? this.config.queue.concurrency;
      // Before judging the queue empty, queue what the queue may have lost (a no-op for the database driver,
      // whose records are the queue; the worker's own first pass joins this one).
      if (finite) await this.worker.reconcile();
      await this.worker.start(concurrency, { maxJobs: options.once ? 1 : undefined });
      printLine(
        `Worker started: queue ${this.config.queue.connection}, concurrency ${concurrency}. ` +
          'SIGTERM or Ctrl-C stops it after the jobs in flight.',
      );
      const reason = await Promise.race([
        stopSignal.signal,
        ...(finite ? [this.untilEmpty(progress, Boolean(options.once), stopped)] : []),
      ]);
      stopped.value = true;
      if (reason.startsWith('SIG')) printLine(`Stopping on ${reason}: finishing the jobs in flight.`);
      await this.worker.stop(reason);
    } finally {
      stopped.value = true;
      stopSignal.dispose();
      unsubscribe();
      await this.metricsListener.stop();
    }
    progress.finish();
  }

  /**
   * --once: ends after one job, or at once when none waits. --stop-when-empty: ends when no job waits,
   * runs or is due for a retry. Jobs of other workers count: the queue is empty when everyone is done.
   */
  private async untilEmpty(progress: WorkProgress, once: boolean, stopped: { value: boolean }): Promise<string> {
    while (!stopped.value) {
      const counts = await this.queue.counts();
      progress.update(counts.waiting + counts.active + counts.delayed);
      if (once && progress.done >= 1) return 'the job done (--once)';
      if (counts.waiting === 0 && counts.active === 0 && (once || counts.delayed === 0)) return 'the queue is empty';
      await delay(CHECK_EVERY_MS);
    }
    return 'stopped';
  }

  @Option({ flags: '--concurrency <n>', description: 'jobs in flight at once (default QUEUE_CONCURRENCY)' })
  parseConcurrency(value: string): number {
    return parseCount('--concurrency', value, 1, 256);
  }

  @Option({ flags: '--once', description: 'process the next job only, then exit' })
  parseOnce(): boolean {
    return true;
  }

  @Option({ flags: '--stop-when-empty', description: 'exit when no job is waiting, running or due for a retry' })
  parseStopWhenEmpty(): boolean {
    return true;
  }
}
