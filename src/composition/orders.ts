import { randomUUID } from 'node:crypto';
import { CancelPayment } from '../application/order/cancel-payment.js';
import { ConfirmPayment } from '../application/order/confirm-payment.js';
import { ConfirmPurchase } from '../application/order/confirm-purchase.js';
import type { IdGenerator } from '../application/order/id-generator.js';
import { PlaceOrder } from '../application/order/place-order.js';
import { ReconcilePayments } from '../application/order/reconcile-payments.js';
import { RequestCancel } from '../application/order/request-cancel.js';
import { RestockItems } from '../application/order/restock-items.js';
import { ShowOrder } from '../application/order/show-order.js';
import type { TossPayments } from '../application/order/toss-payments.js';
import { systemClock, type Clock } from '../application/shared/log.js';
import { BusinessDaySettlementDateCalculator } from '../domain/order/business-day-settlement-date-calculator.js';
import { SettleError } from '../domain/shared/settle-error.js';
import { createBusinessCalendar } from '../infrastructure/calendar/create-business-calendar.js';
import type { Config } from '../infrastructure/config/config.js';
import type { Logger } from '../infrastructure/logging/logger.js';
import { MySqlOrderStore } from '../infrastructure/mysql/mysql-order-store.js';
import { MySqlPaymentReconciliation } from '../infrastructure/mysql/mysql-payment-reconciliation.js';
import { createMySqlPool } from '../infrastructure/mysql/mysql-pool.js';
import { MySqlSettlementLookup } from '../infrastructure/mysql/mysql-settlement-lookup.js';
import { TossPaymentsClient } from '../infrastructure/toss/toss-payments-client.js';

export interface OrderUseCases {
  readonly place: PlaceOrder;
  readonly pay: ConfirmPayment;
  readonly requestCancel: RequestCancel;
  readonly restock: RestockItems;
  readonly cancelPayment: CancelPayment;
  readonly confirmPurchase: ConfirmPurchase;
  readonly show: ShowOrder;
  readonly reconcile: ReconcilePayments;
}

export interface WiredOrders {
  readonly useCases: OrderUseCases;
  close(): Promise<void>;
}

export interface OrderWiringOptions {
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
  /** For tests against Prism: e.g. `Prefer: code=403, example=NOT_CANCELABLE_AMOUNT`. */
  readonly tossExtraHeaders?: Readonly<Record<string, string>>;
}

/** Order ids that also satisfy Toss's orderId rule (6-64 of [A-Za-z0-9_-]). */
export const randomOrderIds: IdGenerator = { orderId: () => `ord_${randomUUID().replaceAll('-', '')}` };

/**
 * Builds the order use cases from configuration: one small MySQL pool, the Toss payments client (only when a
 * secret key is configured; commands that call Toss ask for the 'toss' config section), and the business
 * calendar the producer uses. `close` releases the pool and the HTTP connections.
 */
export async function wireOrders(config: Config, logger: Logger, options: OrderWiringOptions = {}): Promise<WiredOrders> {
  const clock = options.clock ?? systemClock;
  const calendar = await createBusinessCalendar({ overridesFile: config.calendar.overridesFile });
  const calculator = new BusinessDaySettlementDateCalculator(calendar, config.calendar.payoutDelayBusinessDays);
  const pool = createMySqlPool(config.mysql, 2);
  const client = config.toss.secretKey.isEmpty
    ? null
    : new TossPaymentsClient({
        baseUrl: config.toss.baseUrl,
        secretKey: config.toss.secretKey,
        timeoutMs: config.toss.timeoutMs,
        maxRetries: config.toss.maxRetries,
        logger: logger.child({ component: 'toss-payments' }),
        ...(options.tossExtraHeaders ? { extraHeaders: options.tossExtraHeaders } : {}),
      });
  const toss: TossPayments = client ?? noToss;
  const store = new MySqlOrderStore(pool);
  const paymentDeps = { store, toss, clock, calculator, ...(options.signal ? { signal: options.signal } : {}) };
  return {
    useCases: {
      place: new PlaceOrder({ store, clock, ids: randomOrderIds }),
      pay: new ConfirmPayment(paymentDeps),
      requestCancel: new RequestCancel({ store, clock }),
      restock: new RestockItems({ store, clock }),
      cancelPayment: new CancelPayment(paymentDeps),
      confirmPurchase: new ConfirmPurchase({ store }),
      show: new ShowOrder({ store, settlements: new MySqlSettlementLookup(pool), clock }),
      reconcile: new ReconcilePayments({ source: new MySqlPaymentReconciliation(pool), clock }),
    },
    async close() {
      await client?.close().catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}

const missingKey = (): Promise<never> => Promise.reject(new SettleError('CONFIG_INVALID', 'TOSS_SECRET_KEY is required to call Toss (test_sk_… or live_sk_…)'));
const noToss: TossPayments = { confirm: missingKey, cancel: missingKey };
