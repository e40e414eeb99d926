// The fake AI for humans: `npm run fake-ai -- --port 5000 --delay 2000 --protocol chat`.
import { parseArgs } from 'node:util';
import { FakeAiProtocol, FakeAiServer } from './fake-ai-server';

const PATHS: Record<FakeAiProtocol, string> = { chat: '/chat', ollama: '/api/generate', openai: '/v1/chat/completions' };

const USAGE = `Usage: npm run fake-ai -- [--port 5000] [--host 127.0.0.1] [--delay MS] [--status CODE] [--protocol chat|ollama|openai]

Serves the three AI protocols (POST /chat, /api/generate, /v1/chat/completions) on one port.
--delay waits before each answer, --status answers every call with that HTTP status,
--protocol only chooses which AI_URL and AI_PROTOCOL to print.`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) fail(`--${name} must be a whole number, got "${value}"`);
  return parsed;
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        delay: { type: 'string' },
        status: { type: 'string' },
        protocol: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const protocol = (values.protocol ?? 'chat') as FakeAiProtocol;
  if (!(protocol in PATHS)) fail(`--protocol must be chat, ollama or openai, got "${protocol}"`);
  const port = integer('port', values.port as string | undefined, 5000);
  const delayMs = integer('delay', values.delay as string | undefined, 0);
  const status = values.status === undefined ? undefined : integer('status', values.status as string, 200);

  const server = await FakeAiServer.start({ port, host: (values.host as string | undefined) ?? '127.0.0.1' });
  server.respondWith((request) => {
    const original = request.original ?? '';
    process.stdout.write(
      `${request.receivedAt.toISOString()} ${request.method} ${request.path}: original of ${original.length} characters\n`,
    );
    return { delayMs, status };
  });
  process.stdout.write(`Fake AI listening on ${server.baseUrl}\n  AI_URL=${server.url(PATHS[protocol])} AI_PROTOCOL=${protocol}\n`);

  const stop = (signal: string) => {
    process.stdout.write(`${signal}: stopping\n`);
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: Error) => {
  process.stderr.write(`fake-ai: ${error.message}\n`);
  process.exit(1);
});
