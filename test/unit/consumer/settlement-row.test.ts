import { describe, expect, it } from 'vitest';
import { parseOffsetDateTime, utcDateTimeText } from '../../../src/application/ingest/offset-date-time.js';
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
    // the nested objects Toss sent, in schema order; the ones it sent as null are left out
    expect(String(row.details)).toBe(JSON.stringify({ fees: s.fees, card: s.card, cancel: s.cancel }));
  });

  it('keeps details to the nested objects that are not null: none gives {}, each one present is kept in its place', () => {
    const s = syntheticSettlement(1, 'rw');
    const none = { ...s, fees: null, card: null, easyPay: null, giftCertificate: null, mobilePhone: null, transfer: null, virtualAccount: null, cancel: null };
    expect(asObject(toSettlementRow(none, source)).details).toBe('{}');
    const all = {
      ...none,
      fees: [],
      card: { company: '현대' },
      easyPay: { provider: '토스페이' },
      giftCertificate: { approveNo: 'g' },
      mobilePhone: { customerMobilePhone: '010' },
      transfer: { bankCode: '88' },
      virtualAccount: { accountNumber: 'v' },
      cancel: { cancelAmount: -1, transactionKey: s.transactionKey, canceledAt: '2025-02-09T06:58:32+09:00' },
    };
    const details = JSON.parse(String(asObject(toSettlementRow(all, source)).details)) as Record<string, unknown>;
    expect(Object.keys(details)).toEqual(['fees', 'card', 'easyPay', 'giftCertificate', 'mobilePhone', 'transfer', 'virtualAccount', 'cancel']);
    expect(details).toEqual({
      fees: [],
      card: all.card,
      easyPay: all.easyPay,
      giftCertificate: all.giftCertificate,
      mobilePhone: all.mobilePhone,
      transfer: all.transfer,
      virtualAccount: all.virtualAccount,
      cancel: all.cancel,
    });
  });

  it('computes approved_at_utc from the text and its offset, not the machine zone', () => {
    expect(utcDateTime('2025-02-09T06:58:32+09:00', 'k')).toBe('2025-02-08 21:58:32.000');
    expect(utcDateTime('2025-02-09T06:58:32.123456+09:00', 'k')).toBe('2025-02-08 21:58:32.123');
    expect(utcDateTime('2025-02-09T06:58:32Z', 'k')).toBe('2025-02-09 06:58:32.000');
  });

  it('writes any instant as the DATETIME(3) text of its UTC time, as Date#toISOString would', () => {
    const viaIso = (ms: number) => {
      const iso = new Date(ms).toISOString();
      return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
    };
    const edges = [0, -1, 951_782_399_999, 951_782_400_000, 4_107_542_399_999, 253_402_300_799_999, -30_610_224_000_000, 1_739_000_000_123];
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) * 253_402_300_799_999;
    for (const ms of [...edges, ...Array.from({ length: 5_000 }, () => Math.floor(random()))]) expect(utcDateTimeText(ms)).toBe(viaIso(ms));
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
