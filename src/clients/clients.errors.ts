export class ClientNotFoundError extends Error {
  constructor(readonly clientId: number) {
    super(`Client ${clientId} does not exist`);
    this.name = 'ClientNotFoundError';
  }
}
