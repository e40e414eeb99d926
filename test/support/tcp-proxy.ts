import { createConnection, createServer, Server, Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of a real service (MariaDB, Redis), so a test can take the service
 * away from the application and give it back without stopping the server the rest of the suite uses.
 */
export class TcpProxy {
  private server: Server;
  private readonly sockets = new Set<Socket>();

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

  async close(): Promise<void> {
    if (this.server.listening) await this.cut();
  }

  private pipe(client: Socket): void {
    const upstream = createConnection(this.target);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
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
