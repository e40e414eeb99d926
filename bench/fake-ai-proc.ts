// The test fake of the AI server (test/support/fake-ai-server.ts) in a process of its own, driven by the
// benchmark over IPC: `reset` (forget calls, set the answer delay), `stats`, `close`.
import { FakeAiServer } from '../test/support/fake-ai-server';

type Command = { id: number; command: 'reset' | 'stats' | 'close'; delayMs?: number };

async function main(): Promise<void> {
  const server = await FakeAiServer.start({ port: 0, host: '127.0.0.1' });
  const send = (message: unknown) => process.send?.(message);

  const handle = async (message: Command) => {
    try {
      if (message.command === 'reset') {
        server.reset();
        server.respondWith({ delayMs: message.delayMs ?? 0 });
        send({ id: message.id, ok: true });
      } else if (message.command === 'stats') {
        const requests = server.requests;
        send({
          id: message.id,
          ok: true,
          result: {
            requests: requests.length,
            inFlight: server.inFlight,
            maxInFlight: server.maxInFlight,
            received: requests.map((request) => request.receivedAt.getTime()),
            answered: requests.filter((request) => request.outcome === 'answered').length,
            errors: requests.filter((request) => request.outcome === 'hung up' || request.outcome === 'disconnected').length,
          },
        });
      } else if (message.command === 'close') {
        await server.close();
        send({ id: message.id, ok: true });
        process.exit(0);
      }
    } catch (error) {
      send({ id: message.id, ok: false, error: (error as Error).message });
    }
  };
  process.on('message', (message: Command) => void handle(message));
  process.on('disconnect', () => process.exit(0));
  send({ ready: server.url('/chat') });
}

main().catch((error: Error) => {
  process.stderr.write(`fake AI: ${error.message}\n`);
  process.exit(1);
});
