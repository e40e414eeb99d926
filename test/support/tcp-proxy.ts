import { createConnection, createServer, Server, Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of a real service (MariaDB, Redis), so a test can take the service
 * away from the application and give it back without stopping the server the rest of the suite uses.
 */
export class TcpProxy {
  private server: Server;
  private readonly sockets = new Set<Socket>();
  /** While held: new connections are accepted and wait here, unanswered, until release(). */
  private held: Socket[] | null = null;

  private constructor(
    private readonly target: { host: string; port: number },
    readonly port: number,
    server: Server,
  ) {
    this.server = server;
  }

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const server = await listen(0, (client) => proxy.pipe(client));
    const proxy = new TcpProxy(target, (server.address() as { port: number }).port, server);
    return proxy;
  }

  /** Drops every open connection and refuses new ones: the service is "down". */
  async cut(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  /** Accepts connections again on the same port. */
  async restore(): Promise<void> {
    this.server = await listen(this.port, (client) => this.pipe(client));
  }

  /** New connections open but get no answer (a service slow to greet); open ones go on as before. */
  hold(): void {
    this.held ??= [];
  }

  /** Connections accepted while held, still waiting (a closed one drops out). */
  get waiting(): number {
    return this.held?.filter((socket) => !socket.destroyed).length ?? 0;
  }

  /** Connects the held connections to the service, and the next ones at once. */
  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const client of held) if (!client.destroyed) this.connect(client);
  }

  async close(): Promise<void> {
    if (this.server.listening) await this.cut();
  }

  private pipe(client: Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => undefined);
    if (this.held) this.held.push(client);
    else this.connect(client);
  }

  private connect(client: Socket): void {
    const upstream = createConnection(this.target);
    this.sockets.add(upstream);
    upstream.on('close', () => this.sockets.delete(upstream));
    upstream.on('error', () => undefined);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  }
}

function listen(port: number, onConnection: (socket: Socket) => void): Promise<Server> {
  const server = createServer(onConnection);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
