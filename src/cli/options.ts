import type { Argv } from 'yargs';
import { envName, optionsOf, type CommandName } from '../config/options.js';

/**
 * Declares a command's settings on yargs from the options table. Values stay text (integers too), so
 * config.ts can name what the user typed ("--days: "abc" is not a number") and read SECURESCORE_*
 * variables itself, naming the variable in its messages.
 */
export function withOptions<T>(yargs: Argv<T>, command: CommandName): Argv<T> {
  let y = yargs;
  for (const spec of optionsOf(command)) {
    const shown = spec.defaultDescription ?? (spec.default === undefined ? undefined : String(spec.default));
    y = y.option(spec.flag, {
      type: spec.kind === 'boolean' ? 'boolean' : 'string',
      describe: `${spec.describe} [env ${envName(spec.flag)}]${spec.min !== undefined ? ` (${spec.min}-${spec.max})` : ''}`,
      // `--output -` means stdout: the flag must take the next word even when it is "-".
      ...(spec.kind === 'boolean' ? {} : { requiresArg: true, nargs: 1 }),
      ...(shown === undefined ? {} : { defaultDescription: shown }),
      ...(spec.alias ? { alias: spec.alias } : {}),
    }) as Argv<T>;
  }
  return y;
}
