import type { RecordSource } from '../../application/ingest/ports.js';
import { parseOffsetDateTime } from '../../application/ingest/offset-date-time.js';
import type { Settlement } from '../../domain/settlement/settlement.js';
import { SettleError } from '../../domain/shared/settle-error.js';

/** Data columns of `settlements` in INSERT order; the source_* bookkeeping columns come last (see upsert SQL). */
export const DATA_COLUMNS = [
  'transaction_key',
  'payment_key',
  'order_id',
  'm_id',
  'method',
  'currency',
  'amount',
  'interest_fee',
  'fee',
  'supply_amount',
  'vat',
  'pay_out_amount',
  'approved_at',
  'approved_at_utc',
  'sold_date',
  'paid_out_date',
  'cancel_amount',
  'canceled_at',
  'card_issuer_code',
  'card_approve_no',
  'easy_pay_provider',
  'details',
  'unknown_fields',
] as const;
// source_offset before source_timestamp: the newer-test reads both, and the timestamp must change last
export const SOURCE_COLUMNS = ['source_topic', 'source_partition', 'source_offset', 'source_timestamp'] as const;
export const ALL_COLUMNS = [...DATA_COLUMNS, ...SOURCE_COLUMNS] as const;

export type SqlValue = string | number | null;

/** One row's values in ALL_COLUMNS order; `approvedAtMs` when approvedAt was already parsed (else it is parsed here). */
export function toSettlementRow(s: Settlement, source: RecordSource, approvedAtMs?: number): SqlValue[] {
  const card = s.card ?? {};
  const easyPay = s.easyPay ?? {};
  const cancel = s.cancel ?? null;
  const details = JSON.stringify({
    fees: s.fees,
    card: s.card,
    easyPay: s.easyPay,
    giftCertificate: s.giftCertificate,
    mobilePhone: s.mobilePhone,
    transfer: s.transfer,
    virtualAccount: s.virtualAccount,
    cancel: s.cancel,
  });
  return [
    s.transactionKey,
    s.paymentKey,
    s.orderId,
    s.mId,
    s.method,
    s.currency,
    s.amount,
    s.interestFee,
    s.fee,
    s.supplyAmount,
    s.vat,
    s.payOutAmount,
    s.approvedAt,
    approvedAtMs === undefined ? utcDateTime(s.approvedAt, s.transactionKey) : utcText(approvedAtMs),
    s.soldDate,
    s.paidOutDate,
    cancel && Number.isSafeInteger(cancel.cancelAmount) ? cancel.cancelAmount : null,
    fitting(cancel?.canceledAt, 35),
    fitting(card.issuerCode, 4),
    fitting(card.approveNo, 8),
    fitting(easyPay.provider, 40),
    details,
    s.unknownFields,
    source.topic,
    source.partition,
    source.offset,
    source.timestamp,
  ];
}

/** DATETIME(3) text in UTC, computed from the text's own offset (never the machine's zone). */
export function utcDateTime(text: string, transactionKey: string): string {
  const ms = parseOffsetDateTime(text);
  if (ms === null) throw new SettleError('APPROVED_AT_INVALID', `approvedAt "${text}" of ${transactionKey} is not a date-time`);
  return utcText(ms);
}

function utcText(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

// Query-convenience columns: filled only when the value fits; the full nested objects are always in `details`,
// so an unexpectedly long value never fails the whole batch.
function fitting(v: unknown, max: number): string | null {
  return typeof v === 'string' && v.length <= max ? v : null;
}
