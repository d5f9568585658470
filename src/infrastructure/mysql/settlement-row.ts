import type { RecordSource } from '../../application/ingest/ports.js';
import { parseOffsetDateTime, utcDateTimeText } from '../../application/ingest/offset-date-time.js';
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
    approvedAtMs === undefined ? utcDateTime(s.approvedAt, s.transactionKey) : utcDateTimeText(approvedAtMs),
    s.soldDate,
    s.paidOutDate,
    cancel && Number.isSafeInteger(cancel.cancelAmount) ? cancel.cancelAmount : null,
    fitting(cancel?.canceledAt, 35),
    fitting(card.issuerCode, 4),
    fitting(card.approveNo, 8),
    fitting(easyPay.provider, 40),
    settlementDetails(s),
    s.unknownFields,
    source.topic,
    source.partition,
    source.offset,
    source.timestamp,
  ];
}

/**
 * The `details` column: JSON of the nested objects Toss sent (fees, card, easyPay, giftCertificate, mobilePhone,
 * transfer, virtualAccount, cancel, in that order), each only when it is not null. A member Toss sent as null (or
 * not at all) is left out rather than written as `null`: on a card day that is six of the eight members, about 100
 * of a row's ~740 bytes, which every row would carry through LOAD DATA's parser, the table and the binlog. Read it
 * as `details.easyPay ?? null` (rows stored before this rule hold the nulls).
 */
export function settlementDetails(s: Settlement): string {
  const d: Record<string, unknown> = {};
  if (s.fees !== null) d.fees = s.fees;
  if (s.card !== null) d.card = s.card;
  if (s.easyPay !== null) d.easyPay = s.easyPay;
  if (s.giftCertificate !== null) d.giftCertificate = s.giftCertificate;
  if (s.mobilePhone !== null) d.mobilePhone = s.mobilePhone;
  if (s.transfer !== null) d.transfer = s.transfer;
  if (s.virtualAccount !== null) d.virtualAccount = s.virtualAccount;
  if (s.cancel !== null) d.cancel = s.cancel;
  return JSON.stringify(d);
}

/** DATETIME(3) text in UTC, computed from the text's own offset (never the machine's zone). */
export function utcDateTime(text: string, transactionKey: string): string {
  const ms = parseOffsetDateTime(text);
  if (ms === null) throw new SettleError('APPROVED_AT_INVALID', `approvedAt "${text}" of ${transactionKey} is not a date-time`);
  return utcDateTimeText(ms);
}

// Query-convenience columns: filled only when the value fits; the full nested objects are always in `details`,
// so an unexpectedly long value never fails the whole batch.
function fitting(v: unknown, max: number): string | null {
  return typeof v === 'string' && v.length <= max ? v : null;
}
