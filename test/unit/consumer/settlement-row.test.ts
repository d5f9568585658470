import { describe, expect, it } from 'vitest';
import { parseOffsetDateTime } from '../../../src/application/ingest/offset-date-time.js';
import { ALL_COLUMNS, toSettlementRow, utcDateTime } from '../../../src/infrastructure/mysql/settlement-row.js';
import { syntheticSettlement } from '../../support/synthetic-settlements.js';

const source = { topic: 'toss.settlements.v1', partition: 2, offset: 41, timestamp: 1_739_000_000_000 };
const asObject = (values: unknown[]) => Object.fromEntries(ALL_COLUMNS.map((c, i) => [c, values[i]]));

describe('toSettlementRow', () => {
  it('maps a cancel row to snake_case columns with the money untouched and the source last', () => {
    const s = syntheticSettlement(9, 'rw');
    const row = asObject(toSettlementRow(s, source));
    expect(row).toMatchObject({
      transaction_key: s.transactionKey,
      amount: s.amount,
      fee: s.fee,
      pay_out_amount: s.payOutAmount,
      sold_date: s.soldDate,
      cancel_amount: s.cancel?.cancelAmount,
      canceled_at: s.cancel?.canceledAt,
      card_issuer_code: '61',
      source_topic: source.topic,
      source_partition: 2,
      source_offset: 41,
      source_timestamp: source.timestamp,
    });
    expect(JSON.parse(String(row.details))).toEqual({
      fees: s.fees,
      card: s.card,
      easyPay: null,
      giftCertificate: null,
      mobilePhone: null,
      transfer: null,
      virtualAccount: null,
      cancel: s.cancel,
    });
  });

  it('computes approved_at_utc from the text and its offset, not the machine zone', () => {
    expect(utcDateTime('2025-02-09T06:58:32+09:00', 'k')).toBe('2025-02-08 21:58:32.000');
    expect(utcDateTime('2025-02-09T06:58:32.123456+09:00', 'k')).toBe('2025-02-08 21:58:32.123');
    expect(utcDateTime('2025-02-09T06:58:32Z', 'k')).toBe('2025-02-09 06:58:32.000');
  });

  it('takes approvedAt as parsed by the check when given (the same row as parsing it here)', () => {
    const s = { ...syntheticSettlement(3, 'rw'), approvedAt: '2025-02-09T06:58:32.5+09:00' };
    const parsed = parseOffsetDateTime(s.approvedAt) ?? Number.NaN;
    expect(toSettlementRow(s, source, parsed)).toEqual(toSettlementRow(s, source));
    expect(asObject(toSettlementRow(s, source, parsed)).approved_at_utc).toBe('2025-02-08 21:58:32.500');
  });

  it('leaves a convenience column null when the value does not fit it (the full value stays in details)', () => {
    const s = syntheticSettlement(1, 'rw');
    const row = asObject(toSettlementRow({ ...s, card: { ...s.card, approveNo: '123456789012' } }, source));
    expect(row.card_approve_no).toBeNull();
    expect(String(row.details)).toContain('123456789012');
  });
});
