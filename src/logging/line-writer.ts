import pino, { DestinationStream } from 'pino';

type Writer = { write(text: string): unknown; flushSync?(): void };

/** Batched writers still open, flushed on exit and switched to immediate writes by a stop signal. */
const batched = new Set<LineWriter>();
const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** How long a line may wait for the next write; and how much may wait before it is written at once. */
const FLUSH_EVERY_MS = 50;
const FLUSH_AT_CHARS = 64 * 1024;
let hooked = false;

/**
 * Where the lines of a long-running process go (the API, `worker.ts`, `queue:work`): to a file
 * descriptor, written synchronously like pino's sync destination, but gathered: the lines of the next
 * FLUSH_EVERY_MS (or FLUSH_AT_CHARS) go out in one write. A drain profiled with one write per line spent
 * more time in those blocking writes than in any of its queries (a write to a pipe costs ~0.2 ms here).
 *
 * Nothing is lost at the end: the pending lines are written when the process exits (`exit`), and the
 * first SIGTERM or SIGINT makes every batched writer flush and write each later line at once. That
 * matters because Nest's shutdown hooks end by raising the signal again, which kills the process
 * without an `exit` event: the lines of the shutdown (the worker's "stopped") must already be written.
 */
export class LineWriter implements DestinationStream {
  private pending: string[] = [];
  private pendingChars = 0;
  private timer?: NodeJS.Timeout;
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
    this.pendingChars += text.length;
    if (this.pendingChars >= FLUSH_AT_CHARS) this.flush();
    else if (!this.timer) {
      // Unreferenced: waiting lines never keep a process alive; `exit` writes them.
      this.timer = setTimeout(() => this.flush(), FLUSH_EVERY_MS).unref();
    }
  }

  /** Writes the lines gathered so far, synchronously. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
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
