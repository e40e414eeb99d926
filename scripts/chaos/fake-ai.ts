// The fake AI of the chaos run, in a process of its own and driven over IPC: the test fake
// (test/support/fake-ai-server.ts) answering the default text for each original (it carries the
// original's digest) plus "(llamada N)", so a stored description names the call that produced it.
// Each worker calls AI_URL with its own `?worker=N`, so a call names the worker that made it.
// Call times are ms since the epoch. Modes: ok, refused (not listening), slow (past AI_TIMEOUT_MS), error (500), malformed (broken JSON).
import { FakeAiBehaviour, FakeAiRequest, FakeAiServer } from '../../test/support/fake-ai-server';
import { expectedTextFor } from '../../test/support/fake-ai-answers';
import { serveCommands } from '../../test/support/ipc-commands';
import type { AiCall } from './checker';
import { digestOf } from './checker';

type Mode = 'ok' | 'refused' | 'slow' | 'error' | 'malformed';
type Command = { id: number; command: 'mode' | 'calls' | 'close'; mode?: Mode };

const slowMs = Number(process.argv[2] ?? 10_000);
const okDelayMs = Number(process.argv[3] ?? 300);

async function main(): Promise<void> {
  let mode: Mode = 'ok';
  const calls: (Omit<AiCall, 'outcome' | 'end'> & { request: FakeAiRequest })[] = [];
  const script = (request: FakeAiRequest): FakeAiBehaviour => {
    const n = calls.length + 1;
    const fault = mode === 'slow' || mode === 'error' || mode === 'malformed' ? mode : 'none';
    const worker = Number(new URL(request.url, 'http://fake').searchParams.get('worker'));
    calls.push({ n, at: Date.now(), digest: digestOf(request.original ?? ''), fault, worker: worker > 0 ? worker : undefined, request });
    if (fault === 'slow') return { delayMs: slowMs };
    if (fault === 'error') return { status: 500 };
    if (fault === 'malformed') return { rawBody: '{"respuesta": "Según la infor' };
    // A little time per call, so edits and deletes can land while a record is processed.
    return { delayMs: Math.floor(Math.random() * okDelayMs), text: `${expectedTextFor(request.original ?? '')} (llamada ${n})` };
  };
  let server: FakeAiServer | undefined = await FakeAiServer.start({ port: 0, host: '127.0.0.1' });
  const port = Number(new URL(server.baseUrl).port);
  server.respondWith(script);
  serveCommands<Command>(
    {
      mode: async (message) => {
        if (!message.mode) throw new Error('mode: which one?');
        mode = message.mode;
        if (mode === 'refused' && server) {
          // The outage cuts the calls in flight: an injected fault for them too.
          for (const call of calls) if (call.request.outcome === 'pending') call.fault = 'cut';
          await server.close();
          server = undefined;
        } else if (mode !== 'refused' && !server) {
          server = await FakeAiServer.start({ port, host: '127.0.0.1' });
          server.respondWith(script);
        }
      },
      calls: () => calls.map(({ request, ...call }): AiCall => ({ ...call, outcome: request.outcome, end: request.settledAt?.getTime() })),
      close: async () => {
        await server?.close();
        // After the answer has gone out.
        setImmediate(() => process.exit(0));
      },
    },
    server.url('/chat'),
  );
}

main().catch((error: Error) => {
  process.stderr.write(`chaos fake AI: ${error.message}\n`);
  process.exit(1);
});
