import { isSettleError } from '../../domain/shared/settle-error.js';
import type { Clock } from '../shared/log.js';
import type { OrderStore, OrderTransaction } from './order-store.js';
import {
  IdempotencyKeyConflict,
  isUnfinished,
  PaymentOperationIncomplete,
  PaymentOperationPending,
  sameRequest,
  type OperationRequest,
  type PaymentOperation,
  type PaymentOperationKind,
} from './payment-operation.js';

export interface PlannedCall<Plan> {
  readonly key: string;
  readonly request: OperationRequest;
  readonly plan: Plan;
}

export interface PaymentOperationSpec<Plan, TossResult> {
  readonly kind: PaymentOperationKind;
  readonly orderId: string;
  /** The key when the input alone fixes it (confirm): a finished operation then replays before any rule runs. */
  readonly knownKey?: string;
  /** First transaction, order locked: check the rules and say what Toss will be sent. */
  plan(tx: OrderTransaction): Promise<PlannedCall<Plan>>;
  call(plan: Plan, key: string): Promise<TossResult>;
  /** Second transaction: record what Toss did, re-checking the rules against fresh state. */
  record(tx: OrderTransaction, plan: Plan, result: TossResult): Promise<void>;
}

export interface OperationOutcome {
  readonly idempotencyKey: string | null;
  /** True when an earlier run already finished this operation and nothing was sent. */
  readonly replayed: boolean;
}

/**
 * The one sequence every Toss POST follows: (1) in a transaction, check the rules and store the operation as
 * PENDING under its derived key; (2) call Toss with that key; (3) in a second transaction, record the result
 * and mark the operation DONE. If (3) fails the row stays PENDING and a re-run repeats (2) with the same key:
 * Toss replays its first answer and (3) completes. Nothing is ever sent without a PENDING row first.
 */
export async function runPaymentOperation<Plan, TossResult>(
  store: OrderStore,
  clock: Clock,
  spec: PaymentOperationSpec<Plan, TossResult>,
): Promise<OperationOutcome> {
  const started = await store.transaction(async (tx) => {
    await tx.lockOrder(spec.orderId);
    if (spec.knownKey !== undefined && (await tx.findOperation(spec.knownKey))?.status === 'DONE') return null;
    const planned = await spec.plan(tx);
    const existing = await tx.findOperation(planned.key);
    if (existing?.status === 'DONE') return null;
    if (existing && !sameRequest(existing.request, planned.request)) throw new IdempotencyKeyConflict(planned.key);
    // Two unfinished operations on one order could both go through at Toss: settle the first one first (a VOID
    // Toss refused counts: the money it holds must be given back before another charge).
    const other = (await tx.operationsOf(spec.orderId)).find((o) => o.idempotencyKey !== planned.key && isUnfinished(o));
    if (other) throw new PaymentOperationPending(spec.orderId, other);
    const now = clock.now().toISOString();
    const operation: PaymentOperation = existing
      ? { ...existing, status: 'PENDING', errorCode: null, errorMessage: null, attempts: existing.attempts + 1, updatedAt: now }
      : {
          idempotencyKey: planned.key,
          kind: spec.kind,
          orderId: spec.orderId,
          request: planned.request,
          status: 'PENDING',
          errorCode: null,
          errorMessage: null,
          attempts: 1,
          createdAt: now,
          updatedAt: now,
        };
    await tx.saveOperation(operation);
    return { planned, operation };
  });
  if (!started) return { idempotencyKey: spec.knownKey ?? null, replayed: true };
  const { planned, operation } = started;

  let result: TossResult;
  try {
    result = await spec.call(planned.plan, planned.key);
  } catch (error) {
    // Toss answered "no" (a rule or a bad request): nothing happened there, so the operation is over. Anything
    // else (timeouts, 5xx after retries) leaves it PENDING: Toss may have done it, and a re-run finds out.
    if (isSettleError(error) && (error.category === 'rule' || error.category === 'usage')) {
      const failed: PaymentOperation = {
        ...operation,
        status: 'FAILED',
        errorCode: error.code,
        errorMessage: error.message.slice(0, 500),
        updatedAt: clock.now().toISOString(),
      };
      await store
        .transaction(async (tx) => {
          await tx.lockOrder(spec.orderId);
          await tx.saveOperation(failed);
        })
        .catch(() => undefined); // PENDING is safe too: a re-run asks Toss again with the same key
    }
    throw error;
  }

  try {
    await store.transaction(async (tx) => {
      await tx.lockOrder(spec.orderId);
      const current = await tx.findOperation(planned.key);
      if (current?.status === 'DONE') return; // a concurrent run with the same key recorded it first
      await spec.record(tx, planned.plan, result);
      await tx.saveOperation({ ...(current ?? operation), status: 'DONE', errorCode: null, errorMessage: null, updatedAt: clock.now().toISOString() });
    });
  } catch (error) {
    throw new PaymentOperationIncomplete(planned.key, error);
  }
  return { idempotencyKey: planned.key, replayed: false };
}
