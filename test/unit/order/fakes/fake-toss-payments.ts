import type {
  TossApprovedPayment,
  TossCanceledPayment,
  TossCancelRequest,
  TossConfirmRequest,
  TossPayments,
} from '../../../../src/application/order/toss-payments.js';

export interface TossCall {
  readonly op: 'confirm' | 'cancel';
  readonly request: TossConfirmRequest | TossCancelRequest;
  readonly idempotencyKey: string;
  /** False when the key was seen before and Toss answered from its idempotency store. */
  readonly executed: boolean;
}

/**
 * Behaves like Toss for what the use cases rely on: a repeated Idempotency-Key gets the first answer back
 * without executing again; `failNext(error)` makes the next call throw before executing (`failNext(error, 'cancel')`:
 * the next cancel, letting the confirm before it through); `refuseCancels = error` makes every cancel throw it
 * until set back to null (Toss refusing each attempt, whatever the key).
 */
export class FakeTossPayments implements TossPayments {
  readonly calls: TossCall[] = [];
  private readonly answers = new Map<string, TossApprovedPayment | TossCanceledPayment>();
  private failures: Array<{ error: Error; op: 'confirm' | 'cancel' | undefined }> = [];
  private cancels = 0;
  refuseCancels: Error | null = null;
  approvedAt = '2025-02-09T06:58:32+09:00';
  method: string | null = '카드';

  failNext(error: Error, op?: 'confirm' | 'cancel'): void {
    this.failures.push({ error, op });
  }

  get executions(): number {
    return this.calls.filter((c) => c.executed).length;
  }

  async confirm(request: TossConfirmRequest, idempotencyKey: string): Promise<TossApprovedPayment> {
    return this.answer('confirm', request, idempotencyKey, () => ({
      status: 'DONE',
      method: this.method,
      methodDetails: { issuerCode: '61', number: '43301234****123*', installmentPlanMonths: 0, approveNo: '30012345' },
      approvedAt: new Date(this.approvedAt).toISOString(),
      transactionKey: `tx-approve-${request.paymentKey}`,
      totalAmount: request.amount,
      balanceAmount: request.amount,
    }));
  }

  async cancel(request: TossCancelRequest, idempotencyKey: string): Promise<TossCanceledPayment> {
    return this.answer('cancel', request, idempotencyKey, () => {
      this.cancels += 1;
      return {
        status: request.cancelAmount === null ? 'CANCELED' : 'PARTIAL_CANCELED',
        transactionKey: `tx-cancel-${this.cancels}`,
        canceledAt: '2025-02-14T01:00:00.000Z',
        balanceAmount: request.cancelAmount === null ? 0 : request.refundableAmount - request.cancelAmount,
      };
    });
  }

  private answer<T extends TossApprovedPayment | TossCanceledPayment>(
    op: 'confirm' | 'cancel',
    request: TossConfirmRequest | TossCancelRequest,
    key: string,
    execute: () => T,
  ): T {
    if (op === 'cancel' && this.refuseCancels) {
      this.calls.push({ op, request, idempotencyKey: key, executed: false });
      throw this.refuseCancels;
    }
    const index = this.failures.findIndex((f) => f.op === undefined || f.op === op);
    const failure = index < 0 ? undefined : this.failures.splice(index, 1)[0];
    if (failure) {
      this.calls.push({ op, request, idempotencyKey: key, executed: false });
      throw failure.error;
    }
    const previous = this.answers.get(key);
    this.calls.push({ op, request, idempotencyKey: key, executed: previous === undefined });
    if (previous) return previous as T;
    const result = execute();
    this.answers.set(key, result);
    return result;
  }
}
