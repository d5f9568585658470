import { z } from 'zod';
import type { TossApprovedPayment, TossCanceledPayment } from '../../application/order/toss-payments.js';
import { SettleError } from '../../domain/shared/settle-error.js';

/**
 * The Payment object fields we read; everything else is ignored (Toss adds fields without a version bump).
 * Amounts are read only to report them: the ledger trusts our own amounts, because a canned mock answer (Prism
 * returns the spec's static example) or a replay must never rewrite what we charged or refunded.
 */
const instant = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO-8601 date-time');
const cancel = z.looseObject({ transactionKey: z.string().min(1), canceledAt: instant });
const payment = z.looseObject({
  status: z.string(),
  method: z.string().nullish(),
  card: z.record(z.string(), z.unknown()).nullish(),
  approvedAt: instant.nullish(),
  transactionKey: z.string().nullish(),
  lastTransactionKey: z.string().nullish(),
  totalAmount: z.number(),
  balanceAmount: z.number(),
  cancels: z.array(cancel).nullish(),
});
type TossPayment = z.infer<typeof payment>;

const utc = (text: string): string => new Date(text).toISOString();

function parse(body: unknown, operation: string): TossPayment {
  const result = payment.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
  // Not retriable and not a refusal: Toss may have done it, so the operation stays PENDING for a re-run.
  throw new SettleError('TOSS_RESPONSE_INVALID', `Toss's ${operation} response is not a Payment object: ${problems.join('; ')}`, {
    details: { problems },
  });
}

export function approvedPaymentFrom(body: unknown): TossApprovedPayment {
  const p = parse(body, 'confirm');
  const transactionKey = p.transactionKey ?? p.lastTransactionKey;
  if (!p.approvedAt || !transactionKey) throw new SettleError('TOSS_RESPONSE_INVALID', "Toss's confirm response has no approvedAt or transactionKey");
  return {
    status: p.status,
    method: p.method ?? null,
    methodDetails: p.card ?? null,
    approvedAt: utc(p.approvedAt),
    transactionKey,
    totalAmount: p.totalAmount,
    balanceAmount: p.balanceAmount,
  };
}

/** Our cancel is the entry Toss just appended: the one named by lastTransactionKey, else the last one. */
export function canceledPaymentFrom(body: unknown): TossCanceledPayment {
  const p = parse(body, 'cancel');
  const cancels = p.cancels ?? [];
  const ours = cancels.find((c) => c.transactionKey === p.lastTransactionKey) ?? cancels.at(-1);
  if (!ours) throw new SettleError('TOSS_RESPONSE_INVALID', "Toss's cancel response lists no cancels");
  return { status: p.status, transactionKey: ours.transactionKey, canceledAt: utc(ours.canceledAt), balanceAmount: p.balanceAmount };
}
