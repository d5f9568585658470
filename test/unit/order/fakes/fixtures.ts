import type { Clock } from '../../../../src/application/shared/log.js';
import { BusinessCalendar } from '../../../../src/domain/calendar/business-calendar.js';
import type { LocalDate } from '../../../../src/domain/calendar/local-date.js';
import { BusinessDaySettlementDateCalculator } from '../../../../src/domain/order/business-day-settlement-date-calculator.js';
import { CardTransaction } from '../../../../src/domain/order/card-transaction.js';
import { Order, type OrderLine } from '../../../../src/domain/order/order.js';
import type { Payment } from '../../../../src/domain/order/payment.js';

/** A clock that stands still unless a test moves it. */
export class FixedClock implements Clock {
  constructor(public instant = new Date('2025-02-10T01:00:00.000Z')) {}
  now(): Date {
    return new Date(this.instant);
  }
}

/** The real business calendar over a plain holiday list (weekends always count), 3 business days. */
export function calculator(holidays: readonly string[] = []): BusinessDaySettlementDateCalculator {
  const set = new Set(holidays);
  const provider = { isHoliday: (d: LocalDate) => set.has(d.toString()), holidayName: (d: LocalDate) => (set.has(d.toString()) ? 'holiday' : null) };
  return new BusinessDaySettlementDateCalculator(new BusinessCalendar(provider), 3);
}

export const LINES: readonly OrderLine[] = [
  { productId: 'sku-a', unitPrice: 10_000, quantity: 2 },
  { productId: 'sku-b', unitPrice: 5_000, quantity: 1 },
  { productId: 'sku-c', unitPrice: 1_500, quantity: 4 },
];
export const TOTAL = 31_000;

export const card = () => CardTransaction.fromDetails({ issuerCode: '61', number: '43301234****123*', installmentPlanMonths: 0 });

export const placed = (lines: readonly OrderLine[] = LINES) => Order.place('ORD-0001', lines, '2025-02-09T00:00:00.000Z');

export function paid(lines: readonly OrderLine[] = LINES): { order: Order; payment: Payment } {
  const order = placed(lines);
  const total = lines.reduce((s, l) => s + l.unitPrice * l.quantity, 0);
  const payment = order.pay(
    { paymentKey: 'pk-1', amount: total, method: card(), approvedAt: '2025-02-09T00:00:00.000Z', transactionKey: 'tx-1' },
    calculator(),
  );
  return { order, payment };
}

/** Request, restock and refund `productIds` in one go. */
export function refunded(order: Order, payment: Payment, productIds: string[], transactionKey = 'tx-c1') {
  const request = order.requestCancel(productIds, 'customer changed mind', '2025-02-11T00:00:00.000Z');
  order.restock(productIds, '2025-02-12T00:00:00.000Z');
  return order.cancelPayment(payment, { seq: request.seq, canceledAt: '2025-02-13T00:00:00.000Z', transactionKey }, calculator());
}

/** The error `fn` throws (failing the test when it does not), to assert on its class and code. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw, it returned');
}
