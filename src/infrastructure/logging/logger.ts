import { pino, type Logger, type LoggerOptions } from 'pino';
import { redactText, redactValue } from './redact.js';

export type { Logger };

/**
 * One root logger. JSON to stderr (stdout carries results); readable lines when stderr is a terminal.
 * Secrets are redacted at any depth as a second line of defence (config values are Secret objects already):
 * the merging object (formatters.log), child bindings, errors under `err` and the message itself.
 */
export function createLogger(level: string, options: { pretty?: boolean; destination?: NodeJS.WritableStream } = {}): Logger {
  const pretty = options.pretty ?? (process.stderr.isTTY === true && !options.destination);
  const redaction: Pick<LoggerOptions, 'formatters' | 'serializers'> = {
    formatters: { log: (obj) => redactValue(obj) as Record<string, unknown>, bindings: (bindings) => redactValue(bindings) as typeof bindings },
    // err: already redacted by formatters.log (which runs first); this replaces pino's serializer, which would
    // re-wrap the redacted plain object. msg: the formatted message, also when pino takes it from an Error.
    serializers: { err: redactValue, msg: (msg: unknown) => (typeof msg === 'string' ? redactText(msg) : msg) },
  };
  if (pretty) {
    return redactingChildren(pino({ level, ...redaction, base: undefined, transport: { target: 'pino-pretty', options: { destination: 2, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }));
  }
  return redactingChildren(pino({ level, ...redaction, base: { pid: process.pid } }, (options.destination as pino.DestinationStream | undefined) ?? pino.destination({ fd: 2, sync: false })));
}

/**
 * pino applies formatters.bindings to the root's bindings only (children reset it), so the root's `child` is
 * wrapped; every descendant inherits it (a pino child's prototype is its parent).
 */
function redactingChildren(root: Logger): Logger {
  const child: (bindings: pino.Bindings, ...rest: never[]) => unknown = root.child;
  root.child = function (this: Logger, bindings: pino.Bindings, ...rest: unknown[]): unknown {
    return Reflect.apply(child, this, [redactValue(bindings), ...rest]);
  } as Logger['child'];
  return root;
}
