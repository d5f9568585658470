import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderCommandResult, OrderView } from '../../src/application/order/order-view.js';

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
const env = { MYSQL_URL: dbUrl.toString(), TOSS_API_BASE_URL: process.env.TOSS_API_BASE_URL ?? 'http://127.0.0.1:4010', TOSS_SECRET_KEY: 'test_sk_e2e_orders_secret', TOSS_MAX_RETRIES: '1', LOG_LEVEL: 'warn' };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const settle = (args: string[]): Promise<Run> =>
  new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
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
    expect(paid.order).toMatchObject({ status: 'PAYMENT_COMPLETED', payment: { paymentKey: PAYMENT_KEY, status: 'DONE', balanceAmount: 25_000, method: { kind: 'CARD' } } });
    // approved Sun 2025-02-09 06:58 in Seoul (Prism's example): Mon 02-10 + 3 business days
    expect(paid.order.payment?.ledger).toMatchObject([{ type: 'APPROVAL', amount: 25_000, transactionKey: APPROVAL_TX, expectedSettlementDate: '2025-02-13' }]);

    const again = await ok(['order', 'pay', ORDER, '--payment-key', PAYMENT_KEY, '--amount', '25000']);
    expect(again.replayed).toBe(true);

    const requested = await ok(['order', 'cancel', ORDER, '--items', 'sku-b', '--reason', 'changed mind']);
    expect(requested.order).toMatchObject({ status: 'CANCEL_REQUESTED', cancelRequests: [{ seq: 1, productIds: ['sku-b'], reason: 'changed mind', refundedAt: null }] });

    const early = await settle(['order', 'cancel', ORDER, '--refund']);
    expect(early.code).toBe(7);
    expect(early.stderr).toContain('CANCEL_BEFORE_RESTOCK');

    const restocked = await ok(['order', 'restock', ORDER, '--items', 'sku-b']);
    expect(restocked.order.restocks).toMatchObject([{ productId: 'sku-b', quantity: 1 }]);

    const partial = await ok(['order', 'cancel', ORDER, '--refund']);
    expect(partial).toMatchObject({ idempotencyKey: `settle:cancel:${ORDER}:1`, order: { status: 'PARTIALLY_CANCELED', payment: { status: 'PARTIAL_CANCELED', balanceAmount: 20_000 } } });
    expect(partial.order.payment?.ledger.at(-1)).toMatchObject({ seq: 2, type: 'CANCEL', amount: -5_000, balanceAfter: 20_000, transactionKey: CANCEL_TX, expectedSettlementDate: '2025-02-14' });

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
    expect(JSON.parse(reconciled.stdout)).toMatchObject({ findings: 1, unsettled: [{ orderId: ORDER, type: 'CANCEL', amount: -5_000 }], unknownSettlements: [] });

    await ok(['order', 'cancel', ORDER, '--items', 'sku-a']);
    await ok(['order', 'restock', ORDER]);
    const full = await ok(['order', 'cancel', ORDER, '--refund']);
    expect(full).toMatchObject({ idempotencyKey: `settle:cancel:${ORDER}:2`, order: { status: 'CANCELED', payment: { status: 'CANCELED', balanceAmount: 0 } } });
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
});
