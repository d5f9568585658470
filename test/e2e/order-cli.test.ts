import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderCommandResult, OrderView } from '../../src/application/order/order-view.js';
import type { PaymentReconciliation } from '../../src/application/order/reconcile-payments.js';

/**
 * The built `settle` binary against Prism (mock-server/toss-openapi.yaml) and MariaDB. Prism answers with the
 * spec's static examples, so Toss's transactionKeys and times below come from there, while every amount comes
 * from our own ledger. Build first: npx tsc -p tsconfig.build.json.
 */
const BIN = fileURLToPath(new URL('../../bin/settle.js', import.meta.url));
const BASE_MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://settle:settle-local@127.0.0.1:3307/settle';
const suffix = randomBytes(4).toString('hex');
const DB = `settle_it_e2e_orders_${suffix}`;
const ORDER = `ORD-e2e-${suffix}`;
const PAYMENT_KEY = `pk-e2e-${suffix}`;
const APPROVAL_TX = '6F1B2C9D0E4A7B3C5D8E9F0A1B2C3D4E'; // Prism's PaymentDone example
const CANCEL_TX = '7D2E4F6A8C0B1D3E5F7A9C0E2B4D6F8A'; // Prism's PaymentPartialCanceled example

const dbUrl = new URL(BASE_MYSQL_URL);
dbUrl.pathname = `/${DB}`;
const env = {
  MYSQL_URL: dbUrl.toString(),
  TOSS_API_BASE_URL: process.env.TOSS_API_BASE_URL ?? 'http://127.0.0.1:4010',
  TOSS_SECRET_KEY: 'test_sk_e2e_orders_secret',
  TOSS_MAX_RETRIES: '1',
  LOG_LEVEL: 'warn',
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const settle = (args: string[], extraEnv: Record<string, string> = {}): Promise<Run> =>
  new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env, ...extraEnv }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });

/** Runs a --json command that must succeed and returns its parsed output. */
async function ok<T = OrderCommandResult>(args: string[]): Promise<T> {
  const r = await settle([...args, '--json']);
  expect(r.stderr).not.toMatch(/settle: /);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
}

/**
 * A local stand-in for Toss that approves every checkout as a virtual account and answers cancels 503 while
 * `failing` (what Prism's static examples cannot do). Like Toss it replays a kept answer for a repeated key; an
 * outage is not kept.
 */
interface NonCardToss {
  readonly url: string;
  readonly server: Server;
  failing: boolean;
  /** Cancels Toss performed (replays excluded). */
  cancels: number;
  readonly cancelKeys: string[];
}

async function nonCardToss(): Promise<NonCardToss> {
  const answers = new Map<string, { status: number; body: unknown }>();
  const fake = { failing: true, cancels: 0, cancelKeys: [] as string[] } as NonCardToss;
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const path = req.url ?? '/';
      const key = String(req.headers['idempotency-key']);
      const body = JSON.parse(text || '{}') as { paymentKey?: string; amount?: number };
      const payment = (paymentKey: string, amount: number) => ({
        paymentKey,
        status: 'WAITING_FOR_DEPOSIT',
        method: '가상계좌',
        approvedAt: '2025-02-09T06:58:32+09:00',
        transactionKey: `tx-va-${paymentKey}`,
        totalAmount: amount,
        balanceAmount: amount,
      });
      let answer = answers.get(key);
      if (!answer && path === '/v1/payments/confirm') answer = { status: 200, body: payment(String(body.paymentKey), Number(body.amount)) };
      if (!answer) {
        fake.cancelKeys.push(key);
        const paymentKey = decodeURIComponent(path.split('/')[3] ?? '');
        if (fake.failing)
          answer = {
            status: 503,
            body: { code: 'FAILED_INTERNAL_SYSTEM_PROCESSING', message: '내부 시스템 처리 작업이 실패했습니다. 잠시 후 다시 시도해주세요.' },
          };
        else {
          fake.cancels += 1;
          answer = {
            status: 200,
            body: {
              ...payment(paymentKey, 0),
              status: 'CANCELED',
              lastTransactionKey: `tx-void-${paymentKey}`,
              cancels: [{ transactionKey: `tx-void-${paymentKey}`, canceledAt: '2025-02-09T07:00:00+09:00' }],
            },
          };
        }
      }
      if (answer.status < 500) answers.set(key, answer);
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(fake, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server });
}

let dir: string;
beforeAll(async () => {
  const root = await mysql.createConnection({ uri: BASE_MYSQL_URL });
  await root.query(`CREATE DATABASE \`${DB}\``);
  await root.end();
  dir = await mkdtemp(join(tmpdir(), 'settle-order-e2e-'));
  const migrated = await settle(['db', 'migrate']);
  expect(migrated.code).toBe(0);
});

afterAll(async () => {
  const root = await mysql.createConnection({ uri: BASE_MYSQL_URL });
  await root.query(`DROP DATABASE IF EXISTS \`${DB}\``);
  await root.end();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('settle order, end to end', () => {
  it('place → pay → request cancel → restock → partial refund → show, then cancel the rest (full)', async () => {
    const placed = await ok(['order', 'place', '--order-id', ORDER, '--item', 'sku-a:10000:2', '--item', 'sku-b:5000:1']);
    expect(placed.order).toMatchObject({ orderId: ORDER, status: 'ORDER_COMPLETED', totalAmount: 25_000, payment: null });

    const wrong = await settle(['order', 'pay', ORDER, '--payment-key', PAYMENT_KEY, '--amount', '24000']);
    expect(wrong.code).toBe(7);
    expect(wrong.stderr).toContain('PAYMENT_AMOUNT_MISMATCH');

    const payFile = join(dir, 'pay.json');
    await writeFile(payFile, JSON.stringify({ paymentKey: PAYMENT_KEY, amount: 25_000 }));
    const paid = await ok(['order', 'pay', ORDER, '--file', payFile]);
    expect(paid).toMatchObject({ replayed: false, idempotencyKey: `settle:confirm:${ORDER}:${PAYMENT_KEY}` });
    expect(paid.order).toMatchObject({
      status: 'PAYMENT_COMPLETED',
      payment: { paymentKey: PAYMENT_KEY, status: 'DONE', balanceAmount: 25_000, method: { kind: 'CARD' } },
    });
    // approved Sun 2025-02-09 06:58 in Seoul (Prism's example): Mon 02-10 + 3 business days
    expect(paid.order.payment?.ledger).toMatchObject([{ type: 'APPROVAL', amount: 25_000, transactionKey: APPROVAL_TX, expectedSettlementDate: '2025-02-13' }]);

    const again = await ok(['order', 'pay', ORDER, '--payment-key', PAYMENT_KEY, '--amount', '25000']);
    expect(again.replayed).toBe(true);

    const requested = await ok(['order', 'cancel', ORDER, '--items', 'sku-b', '--reason', 'changed mind']);
    expect(requested.order).toMatchObject({
      status: 'CANCEL_REQUESTED',
      cancelRequests: [{ seq: 1, productIds: ['sku-b'], reason: 'changed mind', refundedAt: null }],
    });

    const early = await settle(['order', 'cancel', ORDER, '--refund']);
    expect(early.code).toBe(7);
    expect(early.stderr).toContain('CANCEL_BEFORE_RESTOCK');

    const restocked = await ok(['order', 'restock', ORDER, '--items', 'sku-b']);
    expect(restocked.order.restocks).toMatchObject([{ productId: 'sku-b', quantity: 1 }]);

    const partial = await ok(['order', 'cancel', ORDER, '--refund']);
    expect(partial).toMatchObject({
      idempotencyKey: `settle:cancel:${ORDER}:1`,
      order: { status: 'PARTIALLY_CANCELED', payment: { status: 'PARTIAL_CANCELED', balanceAmount: 20_000 } },
    });
    expect(partial.order.payment?.ledger.at(-1)).toMatchObject({
      seq: 2,
      type: 'CANCEL',
      amount: -5_000,
      balanceAfter: 20_000,
      transactionKey: CANCEL_TX,
      expectedSettlementDate: '2025-02-14',
    });

    // the consumer loaded the approval's settlement row (paid out in the past); the cancel has none yet
    const conn = await mysql.createConnection({ uri: dbUrl.toString() });
    await conn.query(
      `INSERT INTO settlements (transaction_key, payment_key, order_id, m_id, method, currency, amount, interest_fee, fee, supply_amount, vat, pay_out_amount,
         approved_at, approved_at_utc, sold_date, paid_out_date, details, source_topic, source_partition, source_offset, source_timestamp)
       VALUES (?, ?, ?, 'tosspayments', '카드', 'KRW', 25000, 0, 688, 625, 63, 24312, '2025-02-09T06:58:32+09:00', '2025-02-08 21:58:32.000', '2025-02-09', '2025-02-13', '{}', 'e2e', 0, 0, 0)`,
      [APPROVAL_TX, PAYMENT_KEY, ORDER],
    );
    await conn.end();

    const shown = await ok<OrderView>(['order', 'show', ORDER]);
    expect(shown.payment?.ledger.map((e) => [e.type, e.expectedSettlementDate, e.settlement?.status, e.settlement?.overdue])).toEqual([
      ['APPROVAL', '2025-02-13', 'COMPLETED', false],
      ['CANCEL', '2025-02-14', 'REQUESTED', true],
    ]);
    const human = await settle(['order', 'show', ORDER]);
    expect(human.stdout).toContain('settlement COMPLETED paid out 2025-02-13');

    const reconciled = await settle(['reconcile', '--payments', '--from', '2025-02-01', '--to', '2025-02-28', '--json']);
    expect(reconciled.code).toBe(3);
    expect(JSON.parse(reconciled.stdout)).toMatchObject({
      findings: 1,
      unsettled: [{ orderId: ORDER, type: 'CANCEL', amount: -5_000 }],
      unknownSettlements: [],
    });

    await ok(['order', 'cancel', ORDER, '--items', 'sku-a']);
    await ok(['order', 'restock', ORDER]);
    const full = await ok(['order', 'cancel', ORDER, '--refund']);
    expect(full).toMatchObject({
      idempotencyKey: `settle:cancel:${ORDER}:2`,
      order: { status: 'CANCELED', payment: { status: 'CANCELED', balanceAmount: 0 } },
    });
    expect(full.order.payment?.ledger.map((e) => [e.seq, e.type, e.amount, e.balanceAfter])).toEqual([
      [1, 'APPROVAL', 25_000, 25_000],
      [2, 'CANCEL', -5_000, 20_000],
      [3, 'CANCEL', -20_000, 0],
    ]);
  });

  it('refuses to cancel an item whose purchase is confirmed (exit 7)', async () => {
    const id = `${ORDER}-b`;
    await ok(['order', 'place', '--order-id', id, '--item', 'sku-z:7000:1']);
    await ok(['order', 'pay', id, '--payment-key', `${PAYMENT_KEY}-b`, '--amount', '7000']);
    expect((await ok(['order', 'confirm-purchase', id])).order.status).toBe('PURCHASE_CONFIRMED');
    const refused = await settle(['order', 'cancel', id, '--items', 'sku-z']);
    expect(refused.code).toBe(7);
    expect(refused.stderr).toContain('CANCEL_AFTER_PURCHASE_CONFIRMED');
  });

  it('names the flag or file field and what was expected (exit 2)', async () => {
    const flag = await settle(['order', 'pay', ORDER, '--payment-key', PAYMENT_KEY, '--amount', '12.5']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--amount: expected a whole number of KRW, got "12.5"');

    const file = join(dir, 'order.json');
    await writeFile(file, JSON.stringify({ items: [{ productId: 'sku-a', unitPrice: 100, quantity: 'two' }], colour: 'red' }));
    const bad = await settle(['order', 'place', '--file', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${file}: items[0].quantity: expected a whole number, got "two"`);
    expect(bad.stderr).toMatch(/colour/);

    const item = await settle(['order', 'place', '--item', 'sku-a:100']);
    expect(item.code).toBe(2);
    expect(item.stderr).toContain('--item: expected productId:unitPrice:quantity');
  });

  it('reports a domain rule on input with its own code (exit 7)', async () => {
    const dup = await settle(['order', 'place', '--item', 'sku-a:100:1', '--item', 'sku-a:100:2']);
    expect(dup.code).toBe(7);
    expect(dup.stderr).toContain('ORDER_DUPLICATE_PRODUCT_LINE');
  });

  // last: its unfinished VOID is a reconcile finding for the whole database until the retry finishes it
  it('a non-card approval whose cancel Toss keeps failing: order show and reconcile --payments say so with the retry command, which finishes it', async () => {
    const toss = await nonCardToss();
    try {
      const id = `${ORDER}-va`;
      const pk = `${PAYMENT_KEY}-va`;
      const viaFake = { TOSS_API_BASE_URL: toss.url };
      await ok(['order', 'place', '--order-id', id, '--item', 'sku-v:9000:1']);

      const refused = await settle(['order', 'pay', id, '--payment-key', pk, '--amount', '9000'], viaFake);
      expect(refused.code).toBe(4); // 503 after the client's retry: transient
      expect(refused.stderr).toContain('PAYMENT_VOID_INCOMPLETE');
      const retry = `settle order pay ${id} --payment-key ${pk} --amount 9000`;
      expect(refused.stderr).toContain(retry);
      expect(toss.cancelKeys).toEqual([`settle:void-non-card:${id}:${pk}`, `settle:void-non-card:${id}:${pk}`]); // TOSS_MAX_RETRIES=1

      const human = await settle(['order', 'show', id]);
      expect(human.code).toBe(0);
      expect(human.stdout).toContain(`VOID REFUSED BY TOSS: non-card payment ${pk} (가상계좌, 9,000 KRW`);
      expect(human.stdout).toContain('Toss refused the cancel: TOSS_UNAVAILABLE: Toss answered 503 FAILED_INTERNAL_SYSTEM_PROCESSING');
      expect(human.stdout).toContain(`after 1 attempt (Idempotency-Key settle:void-non-card:${id}:${pk})`);
      expect(human.stdout).toContain(`  retry: ${retry}`);
      const shown = await ok<OrderView>(['order', 'show', id]);
      expect(shown.voids).toMatchObject([
        { paymentKey: pk, operation: 'VOID', status: 'FAILED', errorCode: 'TOSS_UNAVAILABLE', attempts: 1, retryCommand: retry },
      ]);

      const listed = await settle(['reconcile', '--payments', '--from', '2025-02-01', '--to', '2025-02-28']);
      expect(listed.code).toBe(3);
      expect(listed.stdout).toMatch(
        new RegExp(
          `VOID REFUSED  9,000 \\(가상계좌\\)  order ${id}  payment ${pk}  operation VOID  Toss refused: TOSS_UNAVAILABLE: Toss answered 503 FAILED_INTERNAL_SYSTEM_PROCESSING.*  retry: ${retry}`,
        ),
      );
      const listedJson = await settle(['reconcile', '--payments', '--from', '2025-02-01', '--to', '2025-02-28', '--json']);
      expect(listedJson.code).toBe(3);
      expect((JSON.parse(listedJson.stdout) as PaymentReconciliation).unfinishedVoids).toMatchObject([
        { orderId: id, paymentKey: pk, operation: 'VOID', status: 'FAILED', errorCode: 'TOSS_UNAVAILABLE', retryCommand: retry },
      ]);

      // the money is still held: no other payment until the cancel is done
      const second = await settle(['order', 'pay', id, '--payment-key', `${pk}-2`, '--amount', '9000'], viaFake);
      expect(second.code).toBe(7);
      expect(second.stderr).toContain('PAYMENT_OPERATION_PENDING');

      // Toss is back: the printed command, as printed, finishes the cancel under the same key (still refusing the method)
      toss.failing = false;
      const retried = await settle(retry.split(' ').slice(1), viaFake);
      expect(retried.code).toBe(7);
      expect(retried.stderr).toContain('PAYMENT_METHOD_NOT_ALLOWED');
      expect(toss.cancels).toBe(1);
      expect(new Set(toss.cancelKeys)).toEqual(new Set([`settle:void-non-card:${id}:${pk}`]));
      expect((await ok<OrderView>(['order', 'show', id])).voids).toMatchObject([{ status: 'DONE', attempts: 2, retryCommand: null }]);
      const after = await settle(['reconcile', '--payments', '--from', '2025-02-01', '--to', '2025-02-28', '--json']);
      expect((JSON.parse(after.stdout) as PaymentReconciliation).unfinishedVoids).toEqual([]);
    } finally {
      await new Promise((resolve) => toss.server.close(resolve));
    }
  });
});
