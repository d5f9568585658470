import type { PaymentReconciliation } from '../../../application/order/reconcile-payments.js';
import type { OrderCommandResult, OrderView } from '../../../application/order/order-view.js';
import type { VoidView } from '../../../application/order/void-view.js';

const krw = (n: number): string => `${n < 0 ? '-' : ''}${Math.abs(n).toLocaleString('en-US')}`;
const signed = (n: number): string => (n > 0 ? `+${krw(n)}` : krw(n));

/** Human text for an order (the JSON form is the OrderView itself). */
export function formatOrder(view: OrderView): string[] {
  const lines = [`order ${view.orderId}  ${view.status}  total ${krw(view.totalAmount)} KRW  ordered ${view.orderedAt}`];
  for (const i of view.items) {
    const request = i.cancelRequestSeq === null ? '' : `  (cancel request ${i.cancelRequestSeq})`;
    lines.push(`  ${i.productId}  ${krw(i.unitPrice)} × ${i.quantity} = ${krw(i.amount)}  ${i.status}${request}`);
  }
  for (const r of view.cancelRequests)
    lines.push(`cancel request ${r.seq}: ${r.productIds.join(', ')}  "${r.reason}"  ${r.refundedAt ? `refunded ${r.refundedAt}` : 'not refunded'}`);
  for (const r of view.restocks) lines.push(`restocked ${r.productId} × ${r.quantity} at ${r.restockedAt}`);
  const p = view.payment;
  if (!p) lines.push('payment: none');
  else {
    lines.push(`payment ${p.paymentKey}  ${p.status}  balance ${krw(p.balanceAmount)} of ${krw(p.totalAmount)} KRW  ${p.methodDescription}`);
    for (const e of p.ledger) {
      const settlement = e.settlement
        ? `  settlement ${e.settlement.status}${e.settlement.overdue ? ' (OVERDUE)' : ''}${e.settlement.row ? ` paid out ${e.settlement.row.paidOutDate}` : ''}`
        : '';
      lines.push(
        `  #${e.seq} ${e.type} ${signed(e.amount)} → ${krw(e.balanceAfter)}  tx ${e.transactionKey}  at ${e.occurredAt}  expected settlement ${e.expectedSettlementDate}${settlement}`,
      );
    }
  }
  for (const v of view.voids ?? []) lines.push(...formatVoid(v));
  return lines;
}

const attempts = (n: number): string => `${n} attempt${n === 1 ? '' : 's'}`;
const approval = (v: VoidView): string => `payment ${v.paymentKey} (${v.method ?? 'no method'}, ${krw(v.amount)} KRW, approved ${v.approvedAt ?? '?'})`;

/** A non-card approval and its cancel; a FAILED or PENDING one says plainly that money is held and how to retry. */
export function formatVoid(v: VoidView): string[] {
  if (v.status === 'DONE') return [`non-card ${approval(v)}: cancelled in full at Toss at ${v.updatedAt} (not accepted: card only)`];
  const [headline, toss, held] =
    v.status === 'FAILED'
      ? [
          `VOID REFUSED BY TOSS: non-card ${approval(v)} is NOT cancelled`,
          `  Toss refused the cancel: ${v.errorCode ?? '?'}: ${v.errorMessage ?? '(no message)'}`,
          "  the customer's money is still held at Toss",
        ]
      : [
          `VOID NOT FINISHED: non-card ${approval(v)} may not be cancelled`,
          v.errorCode === null
            ? '  the cancel is in flight, or its run was interrupted'
            : `  the cancel got no answer from Toss: ${v.errorCode}: ${v.errorMessage ?? '(no message)'}`,
          "  the customer's money may still be held at Toss",
        ];
  return [
    headline,
    toss,
    `  at ${v.updatedAt}, after ${attempts(v.attempts)} (Idempotency-Key ${v.idempotencyKey})`,
    `${held}, and this order refuses any other payment until the cancel is done`,
    `  retry: ${v.retryCommand ?? '-'}`,
  ];
}

export function formatResult(result: OrderCommandResult): string[] {
  const note = result.replayed ? [`(already done by an earlier run: nothing sent to Toss; Idempotency-Key ${result.idempotencyKey ?? '-'})`] : [];
  return [...note, ...formatOrder(result.order)];
}

export function formatReconciliation(r: PaymentReconciliation): string[] {
  const lines = [`payments vs settlements, expected/paid-out dates ${r.from}..${r.to} (today ${r.today} in Seoul): ${r.findings} finding(s)`];
  for (const u of r.unsettled)
    lines.push(
      `  NOT SETTLED  ${u.type} ${signed(u.amount)}  order ${u.orderId}  payment ${u.paymentKey}  tx ${u.transactionKey}  expected ${u.expectedSettlementDate}`,
    );
  for (const s of r.unknownSettlements)
    lines.push(
      `  ${s.reason === 'NO_PAYMENT' ? 'UNKNOWN PAYMENT' : 'UNKNOWN TX'}  ${signed(s.amount)}  order ${s.orderId}  payment ${s.paymentKey}  tx ${s.transactionKey}  paid out ${s.paidOutDate}`,
    );
  for (const v of r.unfinishedVoids) {
    const why =
      v.status === 'FAILED'
        ? `Toss refused: ${v.errorCode ?? '?'}: ${v.errorMessage ?? '(no message)'}`
        : v.errorCode === null
          ? 'in flight or interrupted'
          : `no answer from Toss: ${v.errorCode}`;
    lines.push(
      `  ${v.status === 'FAILED' ? 'VOID REFUSED' : 'VOID NOT FINISHED'}  ${krw(v.amount)} (${v.method ?? 'no method'})  order ${v.orderId}  payment ${v.paymentKey}  operation VOID  ${why}  at ${v.updatedAt} after ${attempts(v.attempts)}  retry: ${v.retryCommand ?? '-'}`,
    );
  }
  return lines;
}
