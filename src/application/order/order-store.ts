import { OrderNotFound, PaymentNotFound } from '../../domain/order/order-rule-violations.js';
import type { Order } from '../../domain/order/order.js';
import type { Payment } from '../../domain/order/payment.js';
import type { PaymentOperation } from './payment-operation.js';

/**
 * What the order use cases need from storage. Everything happens inside `transaction`: the work sees one
 * consistent state, the order it reads is locked until commit, and a throw rolls everything back.
 */
export interface OrderStore {
  transaction<T>(work: (tx: OrderTransaction) => Promise<T>): Promise<T>;
}

export interface OrderTransaction {
  /**
   * Locks the order row until commit without reading it. Every transaction that touches an order's payment
   * operations takes this lock first, so locks are always taken in one order (order, then operation).
   */
  lockOrder(orderId: string): Promise<void>;
  /** Reads and locks the order (and its lines, cancel requests and restocks). */
  findOrder(orderId: string): Promise<Order | null>;
  /** Throws OrderAlreadyExists when the id is taken. */
  insertOrder(order: Order): Promise<void>;
  /** Writes the order's current state: line statuses, new cancel requests and restocks. */
  saveOrder(order: Order): Promise<void>;
  findPayment(orderId: string): Promise<Payment | null>;
  /** Inserts a new payment, or appends the ledger entries the stored one does not have yet. */
  savePayment(payment: Payment): Promise<void>;
  findOperation(idempotencyKey: string): Promise<PaymentOperation | null>;
  /** Every operation of the order (any kind and status), oldest first. */
  operationsOf(orderId: string): Promise<PaymentOperation[]>;
  /** Insert or update by idempotency key. */
  saveOperation(operation: PaymentOperation): Promise<void>;
}

export async function requireOrder(tx: OrderTransaction, orderId: string): Promise<Order> {
  const order = await tx.findOrder(orderId);
  if (!order) throw new OrderNotFound(orderId);
  return order;
}

export async function requirePayment(tx: OrderTransaction, orderId: string): Promise<Payment> {
  const payment = await tx.findPayment(orderId);
  if (!payment) throw new PaymentNotFound(orderId);
  return payment;
}
