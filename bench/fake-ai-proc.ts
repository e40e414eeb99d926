// The test fake of the AI server (test/support/fake-ai-server.ts) in a process of its own, driven by the
// benchmark over IPC: `reset` (forget calls, set the answer delay), `stats`, `close`.
import { FakeAiServer } from '../test/support/fake-ai-server';
import { serveCommands } from '../test/support/ipc-commands';

type Command = { id: number; command: 'reset' | 'stats' | 'close'; delayMs?: number };

async function main(): Promise<void> {
  const server = await FakeAiServer.start({ port: 0, host: '127.0.0.1' });
  serveCommands<Command>(
    {
      reset: (message) => {
        server.reset();
        server.respondWith({ delayMs: message.delayMs ?? 0 });
      },
      stats: () => {
        const requests = server.requests;
        return {
          requests: requests.length,
          inFlight: server.inFlight,
          maxInFlight: server.maxInFlight,
          received: requests.map((request) => request.receivedAt.getTime()),
          answered: requests.filter((request) => request.outcome === 'answered').length,
          errors: requests.filter((request) => request.outcome === 'hung up' || request.outcome === 'disconnected').length,
        };
      },
      close: async () => {
        await server.close();
        // After the answer has gone out.
        setImmediate(() => process.exit(0));
      },
    },
    server.url('/chat'),
  );
}

main().catch((error: Error) => {
  process.stderr.write(`fake AI: ${error.message}\n`);
  process.exit(1);
});
