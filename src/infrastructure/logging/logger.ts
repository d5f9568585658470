import { pino, type Logger, type LoggerOptions } from 'pino';
import { getEnvironmentData, isMainThread, setEnvironmentData } from 'node:worker_threads';
import { formatLogLine } from './line-format.js';
import { redactText, redactValue } from './redact.js';

export type { Logger };

/**
 * One root logger, on stderr (stdout carries results). Off a terminal: pino's JSON lines, as Kubernetes and the
 * tests read them. When stderr is a terminal: one readable line per entry (line-format.ts), written synchronously
 * through `process.stderr.write`, so whoever owns the terminal line (the progress bar) can keep its line and the
 * log lines apart. Worker threads started after such a logger write the same lines: they inherit the choice
 * (worker_threads environment data) and their stderr is forwarded to this thread's `process.stderr`.
 * Secrets are redacted at any depth as a second line of defence (config values are Secret objects already):
 * the merging object (formatters.log), child bindings, errors under `err` and the message itself.
 */
export function createLogger(level: string, options: { pretty?: boolean; destination?: NodeJS.WritableStream } = {}): Logger {
  const lines = inheritsTerminalLines() || (options.pretty ?? (process.stderr.isTTY === true && !options.destination));
  const redaction: Pick<LoggerOptions, 'formatters' | 'serializers'> = {
    formatters: { log: (obj) => redactValue(obj) as Record<string, unknown>, bindings: (bindings) => redactValue(bindings) as typeof bindings },
    // err: already redacted by formatters.log (which runs first); this replaces pino's serializer, which would
    // re-wrap the redacted plain object. msg: the formatted message, also when pino takes it from an Error.
    serializers: { err: redactValue, msg: (msg: unknown) => (typeof msg === 'string' ? redactText(msg) : msg) },
  };
  if (lines) {
    if (isMainThread) setEnvironmentData(TERMINAL_LINES, true);
    const target = (options.destination as NodeJS.WritableStream | undefined) ?? process.stderr;
    return redactingChildren(pino({ level, ...redaction, base: undefined }, terminalLineStream(target)));
  }
  return redactingChildren(
    pino(
      { level, ...redaction, base: { pid: process.pid } },
      (options.destination as pino.DestinationStream | undefined) ?? pino.destination({ fd: 2, sync: false }),
    ),
  );
}

const TERMINAL_LINES = 'settle:log-terminal-lines';
const inheritsTerminalLines = (): boolean => !isMainThread && getEnvironmentData(TERMINAL_LINES) === true;

/** pino's JSON line in, the terminal's line out; colours unless NO_COLOR is set or the target is no terminal. */
function terminalLineStream(target: NodeJS.WritableStream): pino.DestinationStream {
  const color = !process.env.NO_COLOR && (isMainThread ? (target as { isTTY?: boolean }).isTTY === true : true);
  return {
    write(json: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(json) as Record<string, unknown>;
      } catch {
        target.write(json);
        return;
      }
      target.write(formatLogLine(entry, { color }));
    },
  };
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
