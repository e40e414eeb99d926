import type { CliResult } from './cli';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /** The command ended with this exit code; a failure shows what it printed, so a CI log says why. */
      toExitWith(code: number): R;
    }
  }
}

expect.extend({
  toExitWith(received: CliResult, code: number) {
    const pass = received.code === code;
    return {
      pass,
      message: () =>
        `expected the command to exit ${this.isNot ? 'with anything but' : 'with'} ${code}, ` +
        `it exited ${received.code ?? `on ${received.signal}`}\n--- stdout\n${received.stdout}\n--- stderr\n${received.stderr}`,
    };
  },
});
