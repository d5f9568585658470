import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaymentVoidIncomplete } from '../../../src/application/order/void-non-card-payment.js';
import type { PaymentOperation } from '../../../src/application/order/payment-operation.js';
import { LocalDate } from '../../../src/domain/calendar/local-date.js';
import { OrderNotFound, OrderWithoutItems } from '../../../src/domain/order/order-rule-violations.js';
import { settlementWindow } from '../../../src/domain/settlement/settlement-window.js';
import { ERROR_CODES, isErrorCode, type ErrorCategory, type ErrorCode } from '../../../src/domain/shared/error-codes.js';
import { SettleError, isSettleError } from '../../../src/domain/shared/settle-error.js';
import { RegistryApi } from '../../../src/infrastructure/kafka/registry-api.js';
import { toSettleError } from '../../../src/infrastructure/mysql/mysql-errors.js';
import { tossErrorFrom } from '../../../src/infrastructure/toss/toss-http-error.js';
import { paymentErrorCode } from '../../../src/infrastructure/toss/toss-payment-errors.js';
import { tossTransportError } from '../../../src/infrastructure/toss/toss-transport-errors.js';
import { ERRORS_DOC_END, ERRORS_DOC_START, errorCodesTable } from '../../../src/presentation/cli/error-codes-doc.js';
import { ExitCode, exitCodeFor, exitCodeOf } from '../../../src/presentation/cli/exit-codes.js';
import { usage } from '../../../src/presentation/cli/flag-parsers.js';

const CATEGORIES: readonly ErrorCategory[] = ['usage', 'data', 'transient', 'already-running', 'already-completed', 'rule', 'internal'];
const codes = Object.keys(ERROR_CODES) as ErrorCode[];

/** What a thrown error says against the table: its code is there, and its category and retriable are the code's. */
function fromTheTable(error: unknown): { code: ErrorCode; category: ErrorCategory; exit: number } {
  if (!isSettleError(error)) throw new Error(`not a SettleError: ${String(error)}`);
  expect(isErrorCode(error.code)).toBe(true);
  const entry = ERROR_CODES[error.code];
  expect(error.category).toBe(entry.category);
  expect(error.retriable).toBe('retriable' in entry ? entry.retriable : entry.category === 'transient');
  return { code: error.code, category: error.category, exit: exitCodeOf(error) };
}

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
};

describe('the table of error codes', () => {
  it('gives every code a category with an exit code, a summary, and a retriable only where it differs from the category', () => {
    expect(codes.length).toBeGreaterThan(100);
    for (const code of codes) {
      const entry = ERROR_CODES[code] as { category: ErrorCategory; retriable?: boolean; summary: string };
      expect(CATEGORIES, code).toContain(entry.category);
      expect(Object.values(ExitCode), code).toContain(exitCodeFor(entry.category));
      expect(entry.summary.trim().length, code).toBeGreaterThan(10);
      expect(code, 'codes are UPPER_SNAKE').toMatch(/^[A-Z][A-Z0-9_]*$/);
      if (entry.retriable !== undefined)
        expect(entry.retriable, `${code}: say retriable only to differ from the category`).not.toBe(entry.category === 'transient');
    }
  });

  it('keeps the exit code of each category (cron and Kubernetes read them)', () => {
    expect(CATEGORIES.map(exitCodeFor)).toEqual([2, 3, 4, 5, 6, 7, 1]);
  });

  it('is what docs/errors.md lists: every code once, with its exit code and category (npm run docs:errors rewrites it)', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    const start = doc.indexOf(ERRORS_DOC_START);
    const end = doc.indexOf(ERRORS_DOC_END);
    expect(start, 'docs/errors.md has the start marker').toBeGreaterThanOrEqual(0);
    expect(end, 'docs/errors.md has the end marker after it').toBeGreaterThan(start);
    const section = doc.slice(start + ERRORS_DOC_START.length, end).trim();
    expect(section, 'docs/errors.md is out of date: run npm run docs:errors').toBe(errorCodesTable());

    const listed = [...section.matchAll(/^\| `([A-Z0-9_]+)` \| (\d) \| ([a-z-]+) \| (yes|no) \|/gm)].map(([, code, exit, category]) => [
      code,
      Number(exit),
      category,
    ]);
    expect(listed).toHaveLength(codes.length);
    expect(listed.map(([code]) => code).sort()).toEqual([...codes].sort());
    for (const [code, exit, category] of listed) {
      const entry = ERROR_CODES[code as ErrorCode];
      expect([exit, category], String(code)).toEqual([exitCodeFor(entry.category), entry.category]);
    }
  });

  it('refuses a free string as a code at compile time', () => {
    // @ts-expect-error a code must be one of the table
    const free = () => new SettleError('SOMETHING_MADE_UP', 'no');
    // @ts-expect-error a throw site no longer picks the category
    const categorized = () => new SettleError('CONFIG_INVALID', 'no', { category: 'internal' });
    expect(typeof free).toBe('function');
    expect(typeof categorized).toBe('function');
  });
});

describe('throw sites take their category from the table', () => {
  it('the CLI usage helper, a rule violation and an unknown order', () => {
    expect(fromTheTable(usage('INVALID_FLAG', '--x'))).toEqual({ code: 'INVALID_FLAG', category: 'usage', exit: 2 });
    expect(fromTheTable(new OrderWithoutItems())).toEqual({ code: 'ORDER_WITHOUT_ITEMS', category: 'rule', exit: 7 });
    expect(fromTheTable(new OrderNotFound('ORD-0001'))).toEqual({ code: 'ORDER_NOT_FOUND', category: 'usage', exit: 2 });
  });

  it('dates: a bad argument is usage (2), a day number that is not whole a bug (1)', () => {
    expect(fromTheTable(thrown(() => LocalDate.parse('2025-02-30', '--from')))).toMatchObject({ code: 'INVALID_DATE', exit: 2 });
    expect(fromTheTable(thrown(() => LocalDate.fromEpochDay(1.5)))).toMatchObject({ code: 'EPOCH_DAY_INVALID', exit: 1 });
    expect(fromTheTable(thrown(() => settlementWindow('2025-02-10', '2025-02-09')))).toMatchObject({ code: 'INVALID_WINDOW', exit: 2 });
  });

  it.each([
    ['ER_LOCK_DEADLOCK', 'MYSQL_ER_LOCK_DEADLOCK', 4],
    ['ER_ACCESS_DENIED_ERROR', 'MYSQL_ER_ACCESS_DENIED_ERROR', 2],
    ['HANDSHAKE_NO_SSL_SUPPORT', 'MYSQL_HANDSHAKE_NO_SSL_SUPPORT', 2],
    ['ER_NO_SUCH_TABLE', 'MYSQL_SCHEMA_MISSING', 2],
    ['PROTOCOL_SEQUENCE_TIMEOUT', 'MYSQL_QUERY_TIMEOUT', 4],
    ['ER_DATA_TOO_LONG', 'MYSQL_QUERY_FAILED', 1],
    ['ER_PARSE_ERROR', 'MYSQL_QUERY_FAILED', 1],
  ] as const)('MySQL %s is %s (exit %s)', (mysqlCode, code, exit) => {
    const error = toSettleError(Object.assign(new Error(`driver says ${mysqlCode}`), { code: mysqlCode }));
    expect(fromTheTable(error)).toMatchObject({ code, exit });
    if (code !== 'MYSQL_QUERY_TIMEOUT') expect(error.details).toMatchObject({ mysqlCode });
  });

  it.each([
    [503, 'FAILED_INTERNAL_SYSTEM_PROCESSING', 'TOSS_UNAVAILABLE', 4, 'TOSS_UNAVAILABLE', 4],
    [429, 'TOO_MANY_REQUESTS', 'TOSS_UNAVAILABLE', 4, 'TOSS_UNAVAILABLE', 4],
    [401, 'UNAUTHORIZED_KEY', 'TOSS_REQUEST_REJECTED', 2, 'TOSS_REQUEST_REJECTED', 2],
    [400, 'INVALID_REQUEST', 'TOSS_REQUEST_REJECTED', 2, 'TOSS_REQUEST_REJECTED', 2],
    [403, 'NOT_CANCELABLE_PAYMENT', 'TOSS_REQUEST_REJECTED', 2, 'TOSS_REFUSED', 7],
    [400, 'COMMON_ERROR', 'TOSS_REQUEST_REJECTED', 2, 'TOSS_UNAVAILABLE', 4],
    [409, 'SOMETHING_NEW', 'TOSS_HTTP_UNEXPECTED', 1, 'TOSS_REFUSED', 7],
  ] as const)(
    'Toss %s %s: settlements %s (%s), payments %s (%s), Toss code kept',
    (status, tossCode, settlementsCode, settlementsExit, paymentsCode, paymentsExit) => {
      const body = JSON.stringify({ code: tossCode, message: 'x' });
      const settlements = tossErrorFrom(status, {}, body);
      const payments = tossErrorFrom(status, {}, body, paymentErrorCode);
      expect(fromTheTable(settlements)).toMatchObject({ code: settlementsCode, exit: settlementsExit });
      expect(fromTheTable(payments)).toMatchObject({ code: paymentsCode, exit: paymentsExit });
      for (const e of [settlements, payments])
        expect(e).toMatchObject({ tossCode, details: { status, tossCode }, message: `Toss answered ${status} ${tossCode}: x` });
    },
  );

  it('Toss transport failures: a timeout is retried, a stop is exit 4 but not retried, anything else is a bug', () => {
    const coded = (code: string) => Object.assign(new Error(code), { code });
    expect(fromTheTable(tossTransportError(coded('ETIMEDOUT'), 'GET /x'))).toMatchObject({ code: 'TOSS_TIMEOUT', exit: 4 });
    expect(fromTheTable(tossTransportError(coded('ECONNRESET'), 'GET /x'))).toMatchObject({ code: 'TOSS_UNREACHABLE', exit: 4 });
    const aborted = tossTransportError(Object.assign(new Error('stop'), { name: 'AbortError' }), 'GET /x');
    expect(fromTheTable(aborted)).toMatchObject({ code: 'ABORTED', exit: 4 });
    expect(aborted.retriable).toBe(false);
    expect(fromTheTable(tossTransportError(new TypeError('Invalid URL'), 'GET /x'))).toMatchObject({ code: 'TOSS_REQUEST_FAILED', exit: 1 });
  });

  it("a void Toss did not do is named by its cause's meaning, each with its former exit code", () => {
    const op: PaymentOperation = {
      idempotencyKey: 'settle:void-non-card:ORD-0001:pk-1',
      kind: 'VOID',
      orderId: 'ORD-0001',
      request: { paymentKey: 'pk-1', method: '가상계좌', cancelReason: 'x', refundableAmount: 1 },
      status: 'FAILED',
      errorCode: null,
      errorMessage: null,
      attempts: 1,
      createdAt: '2025-02-10T00:00:00.000Z',
      updatedAt: '2025-02-10T00:00:00.000Z',
    };
    const causes: [unknown, ErrorCode, number][] = [
      [new SettleError('TOSS_TIMEOUT', 'no answer'), 'PAYMENT_VOID_INCOMPLETE', 4],
      [tossErrorFrom(403, {}, JSON.stringify({ code: 'NOT_CANCELABLE_PAYMENT', message: 'no' }), paymentErrorCode), 'PAYMENT_VOID_REFUSED', 7],
      [tossErrorFrom(401, {}, JSON.stringify({ code: 'UNAUTHORIZED_KEY', message: 'no' }), paymentErrorCode), 'PAYMENT_VOID_REJECTED', 2],
      [new SettleError('TOSS_RESPONSE_INVALID', 'not a Payment'), 'PAYMENT_VOID_FAILED', 1],
      [new Error('boom'), 'PAYMENT_VOID_FAILED', 1],
    ];
    for (const [cause, code, exit] of causes) expect(fromTheTable(new PaymentVoidIncomplete(op, cause))).toMatchObject({ code, exit });
  });
});

describe('the schema registry API: one code per meaning', () => {
  let server: Server;
  let url: string;
  const answers: Record<string, [number, unknown]> = {
    '/subjects/empty/versions/latest': [200, { version: 1, id: 7 }],
    '/subjects/wrong-root/versions/latest': [400, { message: 'bad request' }],
    '/subjects/down/versions/latest': [503, { message: 'unavailable' }],
    '/subjects/locked/versions/latest': [401, { message: 'unauthorized' }],
  };
  beforeAll(async () => {
    server = createServer((req, res) => {
      const [status, body] = answers[req.url ?? ''] ?? [404, {}];
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    ['empty', 'SCHEMA_REGISTRY_ANSWER_INVALID', 1],
    ['wrong-root', 'SCHEMA_REGISTRY_REJECTED', 2],
    ['down', 'SCHEMA_REGISTRY_UNAVAILABLE', 4],
    ['locked', 'SCHEMA_REGISTRY_UNAUTHORIZED', 2],
  ] as const)('subject %s: %s (exit %s)', async (subject, code, exit) => {
    const api = new RegistryApi({ url, username: null, password: null });
    try {
      expect(fromTheTable(await api.latest(subject).catch((e: unknown) => e))).toMatchObject({ code, exit });
    } finally {
      await api.close();
    }
  });

  it('an unreachable registry is SCHEMA_REGISTRY_UNREACHABLE (exit 4)', async () => {
    const api = new RegistryApi({ url: 'http://127.0.0.1:1', username: null, password: null }, 2_000);
    try {
      expect(fromTheTable(await api.latest('any').catch((e: unknown) => e))).toMatchObject({ code: 'SCHEMA_REGISTRY_UNREACHABLE', exit: 4 });
    } finally {
      await api.close();
    }
  });
});
