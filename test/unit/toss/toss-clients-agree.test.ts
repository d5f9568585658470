import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settlementWindow } from '../../../src/domain/settlement/settlement-window.js';
import { Secret } from '../../../src/infrastructure/config/secret.js';
import { createLogger } from '../../../src/infrastructure/logging/logger.js';
import { TossPaymentsClient } from '../../../src/infrastructure/toss/toss-payments-client.js';
import { TossSettlementsClient } from '../../../src/infrastructure/toss/toss-settlements-client.js';

/**
 * Regression: the settlements and the payments client once classified the same transport failure differently
 * (a timeout was TOSS_UNREACHABLE in one and TOSS_TIMEOUT in the other; an unexpected error transient and
 * retried in one, internal in the other; a shutdown abort retriable in one only). Both now use one table.
 */
const secret = new Secret('test_sk_agree_0000');
const window = settlementWindow('2025-02-09', '2025-02-10');
const confirm = { paymentKey: 'pk-agree', orderId: 'ORD-agree-1', amount: 1_000 };

let silent: Server;
let silentUrl: string;
let requests = 0;
beforeAll(async () => {
  // accepts the request and never answers: only the client's own timeout ends it
  silent = createServer(() => {
    requests += 1;
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
});
afterAll(async () => {
  silent.closeAllConnections();
  await new Promise((resolve) => silent.close(resolve));
});

const clients = (baseUrl: string, maxRetries: number) => {
  const common = { baseUrl, secretKey: secret, timeoutMs: 200, maxRetries, baseDelayMs: 1, maxDelayMs: 2 };
  return { settlements: new TossSettlementsClient({ ...common, logger: createLogger('silent', { pretty: false }) }), payments: new TossPaymentsClient(common) };
};

async function failureOf(p: Promise<unknown>): Promise<{ code: unknown; category: unknown; retriable: unknown }> {
  try {
    await p;
  } catch (error) {
    const e = error as { code?: unknown; category?: unknown; retriable?: unknown };
    return { code: e.code, category: e.category, retriable: e.retriable };
  }
  throw new Error('expected a rejection');
}

/** The same failure through both clients: what each reports, and how many requests reached the server. */
async function both(baseUrl: string, maxRetries: number, signal?: AbortSignal) {
  const { settlements, payments } = clients(baseUrl, maxRetries);
  try {
    const before = requests;
    const s = await failureOf(settlements.fetchPage(window, 1, 10, signal));
    const sent = requests - before;
    return {
      settlements: s,
      payments: await failureOf(payments.confirm(confirm, 'k-agree', signal)),
      settlementRequests: sent,
      paymentRequests: requests - before - sent,
    };
  } finally {
    await settlements.close();
    await payments.close();
  }
}

describe('the settlements and payments clients agree on transport failures', () => {
  it('a server that never answers: TOSS_TIMEOUT, transient, retried by both', async () => {
    const r = await both(silentUrl, 1);
    expect(r.settlements).toEqual({ code: 'TOSS_TIMEOUT', category: 'transient', retriable: true });
    expect(r.payments).toEqual(r.settlements);
    expect([r.settlementRequests, r.paymentRequests]).toEqual([2, 2]); // first attempt + one retry each
  });

  it('a programmer error (an invalid base URL): TOSS_REQUEST_FAILED, internal, never retried', async () => {
    const r = await both('http://127.0.0.1:99999', 3);
    expect(r.settlements).toEqual({ code: 'TOSS_REQUEST_FAILED', category: 'internal', retriable: false });
    expect(r.payments).toEqual(r.settlements);
  });

  it('the caller aborted (shutdown): ABORTED, transient (exit 4), not retriable', async () => {
    const r = await both(silentUrl, 3, AbortSignal.abort());
    expect(r.settlements).toEqual({ code: 'ABORTED', category: 'transient', retriable: false });
    expect(r.payments).toEqual(r.settlements);
  });
});
