import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The flags of a bench for --help and for an unknown flag's error: each with its default, if it has one. */
export function benchUsage(command: string, options: Options): string {
  const flags = Object.entries(options).map(([name, o]) => {
    const value = o.type === 'string' ? ` <${name}>` : '';
    const dflt =
      o.default === undefined || o.default === false || (Array.isArray(o.default) && o.default.length === 0) ? '' : ` (default ${JSON.stringify(o.default)})`;
    return `  --${name}${value}${o.multiple ? ' …' : ''}${dflt}`;
  });
  return [`usage: ${command} [flags]`, ...flags, 'flags, report fields and figures: docs/performance.md'].join('\n');
}

/**
 * node:util parseArgs for a bench's command line, with --help (prints the flags and exits 0) and, for a flag it does
 * not know or a value it cannot take, one line naming it and the flags it does know, exit code 2 (no stack trace).
 */
export function benchArgs<O extends Options>(command: string, options: O): ReturnType<typeof parseArgs<{ options: O }>>['values'] {
  if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(`${benchUsage(command, options)}\n`);
    process.exit(0);
  }
  try {
    return parseArgs({ options }).values;
  } catch (error) {
    process.stderr.write(`${command}: ${(error as Error).message}\n${benchUsage(command, options)}\n`);
    process.exit(2);
  }
}
