// The baseline of part 2: a bare Bull processor that does nothing, on a queue of its own in the same Redis,
// with our worker's concurrency. Reports over IPC the times of its first and last completed job.
import Bull from 'bull';

async function main(): Promise<void> {
  const [redisUrl, queueName, concurrencyArg, expectedArg] = process.argv.slice(2);
  const concurrency = Number(concurrencyArg);
  const expected = Number(expectedArg);
  const queue = new Bull(queueName, redisUrl);
  let completed = 0;
  let firstAt = 0;
  let lastAt = 0;

  queue.on('completed', () => {
    const now = performance.timeOrigin + performance.now();
    completed += 1;
    if (completed === 1) firstAt = now;
    lastAt = now;
    if (completed === expected) process.send?.({ done: { completed, firstAt, lastAt } });
  });
  void queue.process('noop', concurrency, () => Promise.resolve('ok'));
  await queue.isReady();

  process.on('message', (message: { command: string }) => {
    if (message.command === 'close') void queue.close().then(() => process.exit(0));
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ ready: true });
}

main().catch((error: Error) => {
  process.stderr.write(`bare worker: ${error.message}\n`);
  process.exit(1);
});
