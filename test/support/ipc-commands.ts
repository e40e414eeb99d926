/**
 * The child side of a process driven over IPC (the benchmark's and the chaos run's fake AI): each message
 * `{ id, command, ... }` runs the handler of that name and is answered `{ id, ok: true, result }` or
 * `{ id, ok: false, error }`; the parent learns the process is up from `{ ready }`, and the process ends
 * when the parent goes away.
 */
export type CommandHandlers<M> = Record<string, (message: M) => unknown>;

export function serveCommands<M extends { id: number; command: string }>(handlers: CommandHandlers<M>, ready: unknown): void {
  const send = (message: unknown) => process.send?.(message);
  const handle = async (message: M) => {
    try {
      const handler = handlers[message.command];
      if (!handler) throw new Error(`unknown command ${message.command}`);
      send({ id: message.id, ok: true, result: await handler(message) });
    } catch (error) {
      send({ id: message.id, ok: false, error: (error as Error).message });
    }
  };
  process.on('message', (message: M) => void handle(message));
  process.on('disconnect', () => process.exit(0));
  send({ ready });
}
