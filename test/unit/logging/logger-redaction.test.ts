import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/infrastructure/config/secret.js';
import { createLogger, type Logger } from '../../../src/infrastructure/logging/logger.js';

type Line = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A real pino logger writing JSON lines into memory; `lines()` parses what pino wrote. */
const capture = (level = 'trace'): { log: Logger; lines: () => Line[]; text: () => string } => {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const log = createLogger(level, { pretty: false, destination: sink });
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as Line);
  return { log, lines, text };
};

const only = (c: ReturnType<typeof capture>): Line => {
  const lines = c.lines();
  expect(lines).toHaveLength(1);
  return lines[0] as Line;
};

const SECRETS = ['hunter2', 'pw-in-array', 's3cr3t-reg', 'dGVzdF9za19zZWNyZXQ6', 'test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R', 'tok-4f9a', 'scram-pass'];
const expectNoSecret = (text: string) => {
  for (const s of SECRETS) expect(text, `output leaks ${s}`).not.toContain(s);
};

describe('logger redaction (pino JSON output)', () => {
  it('redacts password, secret keys and tokens nested three and four levels deep, keeping their siblings', () => {
    const c = capture();
    c.log.info(
      {
        request: { db: { connection: { user: 'app', password: 'hunter2' } } },
        toss: { client: { options: { auth: { secretKey: 'test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R' } } } },
      },
      'nested',
    );
    const line = only(c);
    expect(line.request.db.connection).toEqual({ user: 'app', password: '[redacted]' });
    expect(line.toss.client.options.auth).toEqual({ secretKey: '[redacted]' });
    expect(line.msg).toBe('nested');
    expectNoSecret(c.text());
  });

  it('redacts inside arrays: objects with passwords and URLs with credentials', () => {
    const c = capture();
    c.log.info({
      kafka: { brokers: [{ host: 'b1', sasl: { mechanism: 'scram-sha-512', username: 'settle', password: 'scram-pass' } }] },
      targets: ['mysql://app:pw-in-array@db:3306/settle', 'https://reg:s3cr3t-reg@registry.internal/apis/ccompat/v7', 'http://127.0.0.1:8081'],
    });
    const line = only(c);
    expect(line.kafka.brokers[0]).toEqual({ host: 'b1', sasl: { mechanism: 'scram-sha-512', username: 'settle', password: '[redacted]' } });
    expect(line.targets).toEqual([
      'mysql://app:[redacted]@db:3306/settle',
      'https://reg:[redacted]@registry.internal/apis/ccompat/v7',
      'http://127.0.0.1:8081',
    ]);
    expectNoSecret(c.text());
  });

  it('redacts headers.Authorization in any case, at any depth', () => {
    const c = capture();
    c.log.info({ headers: { authorization: 'Basic dGVzdF9za19zZWNyZXQ6' } });
    c.log.info({ req: { headers: { Authorization: 'Basic dGVzdF9za19zZWNyZXQ6', 'x-request-id': 'r-1' } } });
    c.log.info({ a: { b: { c: { headers: { AUTHORIZATION: 'Bearer tok-4f9a', 'Proxy-Authorization': 'Basic dGVzdF9za19zZWNyZXQ6' } } } } });
    const [first, second, third] = c.lines();
    expect(first?.headers).toEqual({ authorization: '[redacted]' });
    expect(second?.req.headers).toEqual({ Authorization: '[redacted]', 'x-request-id': 'r-1' });
    expect(third?.a.b.c.headers).toEqual({ AUTHORIZATION: '[redacted]', 'Proxy-Authorization': '[redacted]' });
    expectNoSecret(c.text());
  });

  it('redacts a URL password in an Error message, its stack and its cause, logged under err', () => {
    const c = capture();
    const cause = new Error('getaddrinfo ENOTFOUND https://reg:s3cr3t-reg@registry.internal');
    const error = new Error('connect ECONNREFUSED mysql://app:hunter2@db:3306/settle', { cause });
    c.log.error({ err: error }, 'MySQL is down');
    const line = only(c);
    expect(line.err.type).toBe('Error');
    expect(line.err.message).toContain('connect ECONNREFUSED mysql://app:[redacted]@db:3306/settle');
    expect(line.err.message).toContain('https://reg:[redacted]@registry.internal');
    expect(line.err.stack).toContain('mysql://app:[redacted]@db:3306/settle');
    expect(line.err.stack).toContain('caused by:');
    expect(line.msg).toBe('MySQL is down');
    expectNoSecret(c.text());
  });

  it('redacts an Error logged alone (its message becomes msg) and Errors nested deep in other objects', () => {
    const c = capture();
    c.log.error(new Error('auth failed for mysql://app:hunter2@db:3306/settle'));
    const failed = Object.assign(new Error('request failed'), {
      config: { url: 'https://api.example/v1', headers: { Authorization: 'Basic dGVzdF9za19zZWNyZXQ6' } },
    });
    c.log.warn({ job: { attempts: [{ n: 1, error: failed }] } }, 'retrying');
    const [alone, nested] = c.lines();
    expect(alone?.msg).toBe('auth failed for mysql://app:[redacted]@db:3306/settle');
    expect(alone?.err.message).toBe('auth failed for mysql://app:[redacted]@db:3306/settle');
    const attempt = nested?.job.attempts[0];
    expect(attempt.n).toBe(1);
    expect(attempt.error.message).toBe('request failed');
    expect(attempt.error.stack).toMatch(/^Error: request failed\n/);
    expect(attempt.error.config).toEqual({ url: 'https://api.example/v1', headers: { Authorization: '[redacted]' } });
    expectNoSecret(c.text());
  });

  it('redacts credentials in the message, in printf arguments and in child bindings', () => {
    const c = capture();
    c.log.info('connecting to mysql://app:hunter2@db:3306/settle');
    c.log.info('registry at %s', 'https://reg:s3cr3t-reg@registry.internal');
    c.log.child({ component: 'x', target: { db: { url: 'mysql://app:hunter2@db:3306/settle' } } }).info('child');
    const [plain, printf, child] = c.lines();
    expect(plain?.msg).toBe('connecting to mysql://app:[redacted]@db:3306/settle');
    expect(printf?.msg).toBe('registry at https://reg:[redacted]@registry.internal');
    expect(child?.component).toBe('x');
    expect(child?.target.db.url).toBe('mysql://app:[redacted]@db:3306/settle');
    expectNoSecret(c.text());
  });

  it('redacts a Toss secret key and HTTP credentials found in free text, and Secret and URL objects', () => {
    const c = capture();
    c.log.info({
      note: { text: 'key test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R sent as Basic dGVzdF9za19zZWNyZXQ6' },
      key: new Secret('hunter2'),
      endpoint: new URL('mysql://app:hunter2@db:3306/settle'),
    });
    const line = only(c);
    expect(line.note.text).toBe('key [redacted] sent as Basic [redacted]');
    expect(line.key).toBe('[redacted]');
    expect(line.endpoint).toBe('mysql://app:[redacted]@db:3306/settle');
    expectNoSecret(c.text());
  });

  it('survives cycles and very deep objects without leaking, and leaves the caller’s object untouched', () => {
    const c = capture();
    const cyclic: Record<string, unknown> = { name: 'a', password: 'hunter2' };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { password: 'hunter2', url: 'mysql://app:hunter2@db/settle' };
    for (let i = 0; i < 40; i += 1) deep = { level: deep };
    c.log.info({ cyclic, deep }, 'odd shapes');
    const line = only(c);
    expect(line.cyclic).toEqual({ name: 'a', password: '[redacted]', self: '[Circular]' });
    expect(line.msg).toBe('odd shapes');
    expect(cyclic.password).toBe('hunter2');
    expectNoSecret(c.text());
  });

  it('leaves business identifiers and credential-free URLs alone', () => {
    const c = capture();
    const fields = {
      paymentKey: 'tviva20250209',
      idempotencyKey: 'settle:confirm:o-1:tviva',
      orderId: 'o-1',
      registry: 'http://127.0.0.1:8081/apis/ccompat/v7',
      mysql: 'mysql://root@127.0.0.1:3306/settle',
      amount: 15000,
      ok: true,
      none: null,
    };
    c.log.info({ fields }, 'ids');
    expect(only(c).fields).toEqual(fields);
  });
});
