import pino, { DestinationStream } from 'pino';

type Writer = { write(text: string): unknown; flushSync?(): void };

/** Batched writers still open, flushed on exit and switched to immediate writes by a stop signal. */
const batched = new Set<LineWriter>();
const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
let hooked = false;

/**
 * Where the lines of a long-running process go (the API, `worker.ts`, `queue:work`): to a file
 * descriptor, each line written synchronously, like pino's sync destination, but the lines of one turn of
 * the event loop gathered into one write at its end (setImmediate). A drain profiled with one write per
 * line spent more time in those blocking writes than in any of its queries.
 *
 * Nothing is lost at the end: the pending lines are written when the process exits (`exit`), and the
 * first SIGTERM or SIGINT makes every batched writer flush and write each later line at once. That
 * matters because Nest's shutdown hooks end by raising the signal again, which kills the process
 * without an `exit` event: the lines of the shutdown (the worker's "stopped") must already be written.
 */
export class LineWriter implements DestinationStream {
  private pending: string[] = [];
  private scheduled = false;
  private immediate: boolean;
  private readonly target: Writer;

  /** `batch: false` writes each line at once (the CLI's commands other than queue:work). */
  constructor(target: 1 | 2 | Writer, { batch }: { batch: boolean }) {
    this.target = typeof target === 'number' ? pino.destination({ dest: target, sync: true }) : target;
    this.immediate = !batch;
    if (batch) {
      batched.add(this);
      hookProcess();
    }
  }

  write(text: string): void {
    if (this.immediate) {
      this.target.write(text);
      return;
    }
    this.pending.push(text);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes the lines gathered so far, synchronously. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.target.write(text);
  }

  /** From now on every line is written at once (the process is stopping). */
  writeImmediately(): void {
    this.flush();
    this.immediate = true;
    batched.delete(this);
  }
}

function hookProcess(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const writer of batched) writer.flush();
  });
  for (const signal of STOP_SIGNALS) {
    const onSignal = () => {
      for (const writer of [...batched]) writer.writeImmediately();
      // Listening must not change what the signal does: alone, this listener would keep the process
      // alive (before Nest or queue:work listen, during start-up), so the signal is raised again unheard.
      if (process.listenerCount(signal) === 1) {
        process.off(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    // First in line, so that the lines of whatever the other listeners do are written at once.
    process.prependListener(signal, onSignal);
  }
}
