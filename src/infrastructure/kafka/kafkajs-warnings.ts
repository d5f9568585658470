/**
 * kafkajs 2.2.4 arms setTimeout with a negative delay when it is not throttled (network/requestQueue);
 * Node ≥ 23 then warns on every connection and uses 1 ms, which is what kafkajs meant. Silence only that
 * warning, in every thread that runs kafkajs (the CLI's main thread and the producer thread).
 */
export function silenceKafkajsTimeoutWarning(): void {
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if (type === 'TimeoutNegativeWarning') return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}
