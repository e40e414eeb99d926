// The second baseline of part 2: our job's work written by hand on bare Bull, in a process of its own, on the
// service's own queue and table: the claim UPDATE, the SELECT of the original, the POST to the AI (the
// bundled prompt, the office-server body), the result UPDATE guarded by the claim token. No Nest, no
// TypeORM, no logging, no metrics; mysql2 prepared statements on a pool of the service's size (10), Node's
// fetch. What our worker adds on top of this is the overhead the issue asks about (issue 13, point 4).
// Reports over IPC when `expected` jobs have completed; the rate is read from the table, as for ours.
import Bull, { Job } from 'bull';
import { createPool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface JobData {
  clientId: number;
  version: number;
}

const CLAIM = `UPDATE autoseo SET context_status = 'processing', context_attempts = context_attempts + 1,
  context_claimed_at = ?, context_claim_token = ?, updated_at = ?
  WHERE id = ? AND context_version = ? AND context_status IN ('pending', 'processing')`;
const READ = 'SELECT company_context_original FROM autoseo WHERE id = ? AND context_claim_token = ?';
const COMPLETE = `UPDATE autoseo SET company_context = ?, context_status = 'processed', context_error = NULL, context_ai_ms = ?,
  context_processed_at = ?, context_available_at = NULL, updated_at = ?, context_claimed_at = NULL, context_claim_token = NULL
  WHERE id = ? AND context_version = ? AND context_claim_token = ?`;

async function main(): Promise<void> {
  const [redisUrl, queueName, jobName, concurrencyArg, expectedArg, mysqlUrl, aiUrl] = process.argv.slice(2);
  const concurrency = Number(concurrencyArg);
  const expected = Number(expectedArg);
  const pool = createPool({ uri: mysqlUrl, connectionLimit: 10, timezone: 'Z' });
  const template = readFileSync(join(__dirname, '..', 'src', 'ai', 'prompt', 'company-context.prompt.txt'), 'utf8');
  const queue = new Bull<JobData>(queueName, redisUrl);
  let completed = 0;

  const work = async (job: Job<JobData>): Promise<string> => {
    const { clientId, version } = job.data;
    const token = randomUUID();
    const claimedAt = new Date();
    const [claim] = await pool.execute<ResultSetHeader>(CLAIM, [claimedAt, token, claimedAt, clientId, version]);
    if (claim.affectedRows === 0) return 'skipped';
    const [rows] = await pool.execute<RowDataPacket[]>(READ, [clientId, token]);
    if (rows.length === 0) return 'skipped';
    const original = String(rows[0].company_context_original);
    const prompt = template.replace('{{company_context}}', () => `<texto_original>\n${original}\n</texto_original>`);
    const started = performance.now();
    const response = await fetch(aiUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ modelo: 'gpt-oss', prompt, stream: false, temperature: 0.3 }),
    });
    if (!response.ok) throw new Error(`AI answered HTTP ${response.status}`);
    const answer = (await response.json()) as { respuesta?: string };
    const text = String(answer.respuesta ?? '').trim();
    const aiMs = Math.round(performance.now() - started);
    const now = new Date();
    const [done] = await pool.execute<ResultSetHeader>(COMPLETE, [text, aiMs, now, now, clientId, version, token]);
    return done.affectedRows === 1 ? 'processed' : 'discarded';
  };

  queue.on('completed', () => {
    completed += 1;
    if (completed === expected) process.send?.({ done: { completed, firstAt: 0, lastAt: 0 } });
  });
  void queue.process(jobName, concurrency, work);
  await queue.isReady();

  process.on('message', (message: { command: string }) => {
    if (message.command === 'close') void Promise.all([queue.close(), pool.end()]).then(() => process.exit(0));
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ ready: true });
}

main().catch((error: Error) => {
  process.stderr.write(`hand-written worker: ${error.message}\n`);
  process.exit(1);
});
