import type { OrderStore, OrderTransaction } from '../../../../src/application/order/order-store.js';
import type { PaymentOperation } from '../../../../src/application/order/payment-operation.js';
import { Order, type OrderSnapshot } from '../../../../src/domain/order/order.js';
import { OrderAlreadyExists } from '../../../../src/domain/order/order-rule-violations.js';
import { Payment, type PaymentSnapshot } from '../../../../src/domain/order/payment.js';
import { SettleError } from '../../../../src/domain/shared/settle-error.js';

interface State {
  orders: Map<string, OrderSnapshot>;
  payments: Map<string, PaymentSnapshot>;
  operations: Map<string, PaymentOperation>;
}

/**
 * OrderStore in memory, storing snapshots (like a database stores rows) so a use case never shares live
 * objects with the store. A transaction works on a copy that replaces the state only when the work succeeds.
 * `failCommit(n)` makes the n-th transaction from now throw at commit (1 = the next one), as a dropped MySQL
 * connection would: its work is lost, the state stays as it was.
 */
export class InMemoryOrderStore implements OrderStore {
  private state: State = { orders: new Map(), payments: new Map(), operations: new Map() };
  private readonly failing = new Set<number>();
  private started = 0;

  failCommit(nthFromNow: number): void {
    this.failing.add(this.started + nthFromNow);
  }

  operation(key: string): PaymentOperation | undefined {
    return this.state.operations.get(key);
  }

  get operations(): PaymentOperation[] {
    return [...this.state.operations.values()];
  }

  payment(orderId: string): Payment | null {
    const s = this.state.payments.get(orderId);
    return s ? Payment.restore(structuredClone(s)) : null;
  }

  order(orderId: string): Order | null {
    const s = this.state.orders.get(orderId);
    return s ? Order.restore(structuredClone(s)) : null;
  }

  async transaction<T>(work: (tx: OrderTransaction) => Promise<T>): Promise<T> {
    const number = ++this.started;
    const staged = structuredClone(this.state);
    const result = await work(new InMemoryTransaction(staged));
    if (this.failing.delete(number)) {
      throw new SettleError('MYSQL_PROTOCOL_CONNECTION_LOST', 'MySQL: connection lost (fake)');
    }
    this.state = staged;
    return result;
  }
}

class InMemoryTransaction implements OrderTransaction {
  constructor(private readonly s: State) {}

  async lockOrder(): Promise<void> {
    // one transaction at a time in a test: nothing to lock
  }

  async findOrder(orderId: string): Promise<Order | null> {
    const snap = this.s.orders.get(orderId);
    return snap ? Order.restore(structuredClone(snap)) : null;
  }

  async insertOrder(order: Order): Promise<void> {
    if (this.s.orders.has(order.orderId)) throw new OrderAlreadyExists(order.orderId);
    this.s.orders.set(order.orderId, structuredClone(order.toSnapshot()));
  }

  async saveOrder(order: Order): Promise<void> {
    this.s.orders.set(order.orderId, structuredClone(order.toSnapshot()));
  }

  async findPayment(orderId: string): Promise<Payment | null> {
    const snap = this.s.payments.get(orderId);
    return snap ? Payment.restore(structuredClone(snap)) : null;
  }

  async savePayment(payment: Payment): Promise<void> {
    const before = this.s.payments.get(payment.orderId);
    const after = structuredClone(payment.toSnapshot());
    // the same append-only rule the database triggers enforce: stored entries never change
    if (before && JSON.stringify(after.ledger.slice(0, before.ledger.length)) !== JSON.stringify(before.ledger)) throw new Error('ledger entries were edited');
    this.s.payments.set(payment.orderId, after);
  }

  async findOperation(key: string): Promise<PaymentOperation | null> {
    return this.s.operations.get(key) ?? null;
  }

  async operationsOf(orderId: string): Promise<PaymentOperation[]> {
    return [...this.s.operations.values()].filter((o) => o.orderId === orderId).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async saveOperation(operation: PaymentOperation): Promise<void> {
    this.s.operations.set(operation.idempotencyKey, { ...operation });
  }
}
