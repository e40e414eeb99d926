import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { ApiToken } from '../security/api-token';
import { Metrics } from './metrics.service';

/**
 * A dedicated worker has no HTTP server: this one serves GET /metrics only, on METRICS_HOST:METRICS_PORT
 * (loopback by default), with the API's rule: API_TOKEN as a bearer token when one is set.
 */
@Injectable()
export class MetricsListener implements OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private readonly token: ApiToken;
  private server?: Server;

  constructor(
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
  ) {
    this.token = new ApiToken(config);
  }

  /** Listens when METRICS_PORT is set; answers the URL to scrape, or null when metrics are off. */
  async start(): Promise<string | null> {
    const { port, host } = this.config.metrics;
    if (port === undefined || this.server) return null;
    const server = createServer((request, response) => void this.answer(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new Error(`METRICS_PORT: cannot listen on ${host}:${port} (${error.code ?? error.message})`)),
      );
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/metrics`;
    return url;
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics') return this.send(response, 404, 'Not found: this listener serves GET /metrics only\n');
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return this.send(response, 405, 'Method not allowed\n', { Allow: 'GET, HEAD' });
    const check = this.token.required ? this.token.check(request) : 'valid';
    if (check !== 'valid') {
      const challenge = `Bearer realm="autoseo"${check === 'invalid' ? ', error="invalid_token"' : ''}`;
      return this.send(response, 401, check === 'missing' ? 'Missing API token\n' : 'Invalid API token\n', {
        'WWW-Authenticate': challenge,
      });
    }
    try {
      const body = await this.metrics.exposition();
      this.send(response, 200, request.method === 'HEAD' ? '' : body, { 'Content-Type': Registry.PROMETHEUS_CONTENT_TYPE });
    } catch (error) {
      this.logger.error(`cannot render the metrics: ${(error as Error).message}`);
      this.send(response, 500, 'Cannot render the metrics\n');
    }
  }

  private send(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
    response.end(body);
  }
}
