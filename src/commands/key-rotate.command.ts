import { InjectRepository } from '@nestjs/typeorm';
import { Command, CommandRunner } from 'nest-commander';
import { MoreThan, Repository } from 'typeorm';
import { Client } from '../clients/client.entity';
import { SecretBox, SecretDecryptionError } from '../security/secret-box';
import { CheckFailedError } from './cli-errors';
import { printLine } from './output';

const PAGE = 500;

/**
 * APP_KEY rotation: set the new key as APP_KEY and the old one in APP_PREVIOUS_KEYS, run this, then drop
 * the old key. Each stored password is opened and sealed again with the current key; values already on
 * it are left alone, so the command can be run again safely (after an interruption, say).
 */
@Command({ name: 'key:rotate', description: 'Re-encrypt the stored client passwords with the current APP_KEY' })
export class KeyRotateCommand extends CommandRunner {
  constructor(
    @InjectRepository(Client) private readonly clients: Repository<Client>,
    private readonly secrets: SecretBox,
  ) {
    super();
  }

  async run(): Promise<void> {
    let rotated = 0;
    let seen = 0;
    const unreadable: number[] = [];
    for (let afterId = 0; ;) {
      const rows = await this.clients.find({
        where: { id: MoreThan(afterId) },
        select: { id: true, password: true, password_app: true },
        order: { id: 'ASC' },
        take: PAGE,
      });
      if (rows.length === 0) break;
      for (const row of rows) {
        seen += 1;
        let sealed: Pick<Client, 'password' | 'password_app'>;
        try {
          sealed = { password: this.secrets.reencrypt(row.password), password_app: this.secrets.reencrypt(row.password_app) };
        } catch (error) {
          if (!(error instanceof SecretDecryptionError)) throw error;
          unreadable.push(row.id);
          continue;
        }
        if (sealed.password === row.password && sealed.password_app === row.password_app) continue;
        // Only if nobody changed the passwords meanwhile (a PATCH seals with the current key anyway).
        const result = await this.clients.update({ id: row.id, password: row.password, password_app: row.password_app }, sealed);
        rotated += result.affected ?? 0;
      }
      afterId = rows[rows.length - 1].id;
      if (seen % (PAGE * 4) === 0) printLine(`... ${seen} records checked, ${rotated} re-encrypted`);
    }
    printLine(`Re-encrypted the passwords of ${rotated} of ${seen} record(s) with the current APP_KEY.`);
    if (unreadable.length > 0) {
      throw new CheckFailedError(
        `${unreadable.length} record(s) are sealed with a key that is neither APP_KEY nor in APP_PREVIOUS_KEYS: ` +
          `ids ${unreadable.slice(0, 20).join(', ')}`,
      );
    }
  }
}
