import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';

export const MAX_ID = 2_147_483_647;

/** A record id in a path: a positive integer that fits the column. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const id = /^[1-9][0-9]{0,9}$/.test(value) ? Number(value) : NaN;
    if (!(id <= MAX_ID)) throw new BadRequestException([`id must be a positive integer (got "${value.slice(0, 40)}")`]);
    return id;
  }
}
