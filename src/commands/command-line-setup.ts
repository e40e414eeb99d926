import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Command, CommanderError } from 'commander';
import { InjectCommander } from 'nest-commander';

export const CLI_NAME = 'autoseo';

/** Commander's own errors (unknown command or option, missing argument) are bad usage: exit 2; --help is 0. */
export function exitOnCommanderError(error: Error): never {
  const help = ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes((error as CommanderError).code);
  process.exit(help ? 0 : 2);
}

/**
 * nest-commander sets the exit override on the root program only, and commander's sub-commands do not
 * inherit it; without this, a missing argument of `queue:retry` would exit 1 (a failed check) instead of 2.
 */
@Injectable()
export class CommandLineSetup implements OnApplicationBootstrap {
  constructor(@InjectCommander() private readonly program: Command) {}

  onApplicationBootstrap(): void {
    this.program.name(CLI_NAME);
    for (const command of this.program.commands) command.exitOverride(exitOnCommanderError);
  }
}
