import { NotFoundException } from '@nestjs/common';

/** A 404 on the HTTP routes; the CLI reports its message. */
export class ClientNotFoundError extends NotFoundException {
  constructor(readonly clientId: number) {
    super(`Client ${clientId} does not exist`);
    this.name = 'ClientNotFoundError';
  }
}
