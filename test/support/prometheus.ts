import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPort } from './ports';
import { waitFor } from './wait-for';

/** Debian's prometheus package; .ci/run installs it when it is missing. */
export const PROMETHEUS_BINARY = '/usr/bin/prometheus';

export interface ScrapeJob {
  name: string;
  target: string;
  /** Sent as `Authorization: Bearer …`. */
  token?: string;
}

export interface PrometheusTarget {
  labels: { job: string; instance: string };
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** A real Prometheus on loopback, with its data in a temporary folder, scraping every second. */
export class PrometheusServer {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly folder: string,
    readonly baseUrl: string,
    private readonly exited: Promise<void>,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  static async start(jobs: ScrapeJob[], ruleFiles: string[] = []): Promise<PrometheusServer> {
    const folder = mkdtempSync(join(tmpdir(), 'autoseo-prometheus-'));
    // JSON is YAML: no YAML library needed to write the configuration.
    const config = {
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: ruleFiles,
      scrape_configs: jobs.map((job) => ({
        job_name: job.name,
        ...(job.token ? { authorization: { type: 'Bearer', credentials: job.token } } : {}),
        static_configs: [{ targets: [job.target] }],
      })),
    };
    writeFileSync(join(folder, 'prometheus.yml'), JSON.stringify(config, null, 2));
    const port = await closedPort();
    const child = spawn(
      PROMETHEUS_BINARY,
      [
        `--config.file=${join(folder, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(folder, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const server = new PrometheusServer(child, folder, `http://127.0.0.1:${port}`, exited);
    let ended = false;
    void exited.then(() => (ended = true));
    await waitFor('Prometheus to be ready', async () => {
      if (ended) throw new Error(`prometheus exited:\n${server.output}`);
      return (await fetch(`${server.baseUrl}/-/ready`).catch(() => undefined))?.ok === true;
    });
    return server;
  }

  async targets(): Promise<PrometheusTarget[]> {
    return (await this.api<{ activeTargets: PrometheusTarget[] }>('/api/v1/targets')).activeTargets;
  }

  /** An instant PromQL query's vector. */
  async query(promql: string): Promise<VectorSample[]> {
    const data = await this.api<{ resultType: string; result: VectorSample[] }>(`/api/v1/query?query=${encodeURIComponent(promql)}`);
    if (data.resultType !== 'vector') throw new Error(`expected a vector from ${promql}, got ${data.resultType}`);
    return data.result;
  }

  /** The value of a query that answers one sample; undefined while it answers none. */
  async value(promql: string): Promise<number | undefined> {
    const result = await this.query(promql);
    if (result.length > 1) throw new Error(`${promql} answered ${result.length} samples`);
    return result.length === 0 ? undefined : Number(result[0].value[1]);
  }

  async ruleGroups(): Promise<{ name: string; rules: { name: string; health: string }[] }[]> {
    return (await this.api<{ groups: { name: string; rules: { name: string; health: string }[] }[] }>('/api/v1/rules')).groups;
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
    rmSync(this.folder, { recursive: true, force: true });
  }

  private async api<T>(path: string): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error}`);
    return body.data;
  }
}
