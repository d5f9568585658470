import { describe, expect, it } from 'vitest';
import { formatLogLine } from '../../../src/infrastructure/logging/line-format.js';
import { createLogger } from '../../../src/infrastructure/logging/logger.js';

const at = new Date(2025, 2, 3, 9, 5, 7).getTime(); // local time, as the terminal shows it

describe('the terminal log line', () => {
  it('is HH:MM:SS LEVEL component message key=value…, one line', () => {
    const line = formatLogLine(
      { level: 40, time: at, component: 'toss', msg: 'retrying settlement page', page: 3, attempt: 1, err: 'Toss answered 500 X: 잠시 후 다시' },
      { color: false },
    );
    expect(line).toBe('09:05:07 WARN  toss retrying settlement page page=3 attempt=1 err="Toss answered 500 X: 잠시 후 다시"\n');
  });

  it('never spans lines: newlines in the message and the values are flattened, objects compact, errors as Type: message', () => {
    const err = { type: 'SettleError', message: 'first\nsecond', stack: 'SettleError: first\n    at x', code: 'KAFKA_DOWN' };
    const line = formatLogLine(
      { level: 50, time: at, msg: 'a\n  b', window: { from: '2025-03-03', to: '2025-03-04' }, err, note: 'x\ny', empty: '' },
      { color: false },
    );
    expect(line.split('\n')).toEqual([expect.any(String), '']);
    expect(line).toBe('09:05:07 ERROR a b window={"from":"2025-03-03","to":"2025-03-04"} err="SettleError: first second (KAFKA_DOWN)" note="x\\ny" empty=""\n');
  });

  it('drops pino and kafkajs bookkeeping (pid, hostname, timestamp, logger, stack)', () => {
    expect(
      formatLogLine(
        { level: 30, time: at, pid: 1, hostname: 'h', component: 'kafkajs', msg: 'm', timestamp: 't', logger: 'kafkajs', stack: 's', broker: 'b:9092' },
        { color: false },
      ),
    ).toBe('09:05:07 INFO  kafkajs m broker=b:9092\n');
  });

  it('colours the level only when asked', () => {
    expect(formatLogLine({ level: 40, time: at, msg: 'm' }, { color: true })).toContain('\x1b[33mWARN \x1b[0m');
  });
});

describe('createLogger on a terminal', () => {
  it('writes one formatted line per entry, synchronously, redacted; JSON stays JSON off a terminal', () => {
    const written: string[] = [];
    const sink = { write: (s: string) => void written.push(s), isTTY: false } as unknown as NodeJS.WritableStream;
    const log = createLogger('info', { pretty: true, destination: sink });
    log.child({ component: 'mysql' }).warn({ url: 'mysql://root:hunter2@db/settle' }, 'slow');
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^\d\d:\d\d:\d\d WARN {2}mysql slow url="mysql:\/\/root:\[redacted\]@db\/settle"\n$/);

    const json: string[] = [];
    createLogger('info', { pretty: false, destination: { write: (s: string) => void json.push(s) } as unknown as NodeJS.WritableStream }).info({ a: 1 }, 'm');
    expect(JSON.parse(json[0] ?? '')).toMatchObject({ level: 30, msg: 'm', a: 1, pid: process.pid });
  });
});
