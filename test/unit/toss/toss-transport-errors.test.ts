import { describe, expect, it } from 'vitest';
import { SettleError } from '../../../src/domain/shared/settle-error.js';
import { classifyTransportFailure, tossTransportError } from '../../../src/infrastructure/toss/toss-transport-errors.js';

const coded = (code: string, name = 'Error') => Object.assign(new Error(`${code} happened`), { code, name });
const dom = (name: string, code: number) => Object.assign(new Error('aborted'), { name, code }); // DOMException's code is a number

/** The one table both Toss clients use for a request that got no HTTP answer. */
describe('tossTransportError', () => {
  it.each([
    ['ECONNRESET', coded('ECONNRESET'), 'TOSS_UNREACHABLE', 'transient', true],
    ['ECONNREFUSED', coded('ECONNREFUSED'), 'TOSS_UNREACHABLE', 'transient', true],
    ['EPIPE', coded('EPIPE'), 'TOSS_UNREACHABLE', 'transient', true],
    ['ENOTFOUND', coded('ENOTFOUND'), 'TOSS_UNREACHABLE', 'transient', true],
    ['EAI_AGAIN', coded('EAI_AGAIN'), 'TOSS_UNREACHABLE', 'transient', true],
    ['UND_ERR_SOCKET', coded('UND_ERR_SOCKET', 'SocketError'), 'TOSS_UNREACHABLE', 'transient', true],
    ['UND_ERR_CLOSED', coded('UND_ERR_CLOSED', 'ClientClosedError'), 'TOSS_UNREACHABLE', 'transient', true],
    ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', coded('UND_ERR_RES_CONTENT_LENGTH_MISMATCH'), 'TOSS_UNREACHABLE', 'transient', true],
    ['ETIMEDOUT', coded('ETIMEDOUT'), 'TOSS_TIMEOUT', 'transient', true],
    ['UND_ERR_CONNECT_TIMEOUT', coded('UND_ERR_CONNECT_TIMEOUT', 'ConnectTimeoutError'), 'TOSS_TIMEOUT', 'transient', true],
    ['UND_ERR_HEADERS_TIMEOUT', coded('UND_ERR_HEADERS_TIMEOUT', 'HeadersTimeoutError'), 'TOSS_TIMEOUT', 'transient', true],
    ['UND_ERR_BODY_TIMEOUT', coded('UND_ERR_BODY_TIMEOUT', 'BodyTimeoutError'), 'TOSS_TIMEOUT', 'transient', true],
    ['our AbortSignal.timeout (TimeoutError)', dom('TimeoutError', 23), 'TOSS_TIMEOUT', 'transient', true],
    [
      'fetch-style wrapper with the code in cause',
      Object.assign(new TypeError('fetch failed'), { cause: coded('ECONNRESET') }),
      'TOSS_UNREACHABLE',
      'transient',
      true,
    ],
    ['the caller aborted (AbortError)', dom('AbortError', 20), 'ABORTED', 'transient', false],
    ['undici RequestAbortedError', coded('UND_ERR_ABORTED', 'AbortError'), 'ABORTED', 'transient', false],
    ['a programmer error: invalid URL', coded('ERR_INVALID_URL', 'TypeError'), 'TOSS_REQUEST_FAILED', 'internal', false],
    ['a programmer error: invalid argument', coded('UND_ERR_INVALID_ARG', 'InvalidArgumentError'), 'TOSS_REQUEST_FAILED', 'internal', false],
    ['a plain TypeError', new TypeError('x is not a function'), 'TOSS_REQUEST_FAILED', 'internal', false],
    ['a thrown string', 'boom', 'TOSS_REQUEST_FAILED', 'internal', false],
  ] as const)('%s → %s, %s, retriable %s', (_label, error, code, category, retriable) => {
    expect(classifyTransportFailure(error)).toBe(code);
    expect(tossTransportError(error, 'GET /v1/settlements (attempt 1)')).toMatchObject({ code, category, retriable, cause: error });
  });

  it('passes an error we already classified through unchanged', () => {
    const ours = new SettleError('TOSS_TRUNCATED_BODY', 'cut short');
    expect(tossTransportError(ours, 'GET /v1/settlements (attempt 1)')).toBe(ours);
  });

  it('names the request and the network code for people, and keeps the code in details', () => {
    const error = tossTransportError(coded('ECONNRESET'), 'POST /v1/payments/confirm (attempt 2)');
    expect(error.message).toBe('Toss POST /v1/payments/confirm (attempt 2): connection failed (ECONNRESET)');
    expect(error.details).toEqual({ networkCode: 'ECONNRESET' });
  });
});
