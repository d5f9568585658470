/**
 * A Toss settlement row, field names exactly as Toss sends them. Money is integer KRW. Dates stay the text
 * Toss sent (approvedAt keeps its offset; soldDate/paidOutDate are Asia/Seoul calendar dates). Nested
 * objects are null when Toss sends null or leaves them out; `fees` is null only when Toss omits it.
 */
export interface Settlement {
  readonly mId: string;
  readonly paymentKey: string;
  readonly transactionKey: string;
  readonly orderId: string;
  readonly currency: string;
  readonly method: string;
  readonly amount: number;
  readonly interestFee: number;
  readonly fees: readonly SettlementFee[] | null;
  readonly fee: number | null;
  readonly supplyAmount: number;
  readonly vat: number;
  readonly payOutAmount: number;
  readonly approvedAt: string;
  readonly soldDate: string;
  readonly paidOutDate: string;
  readonly card: Record<string, unknown> | null;
  readonly easyPay: Record<string, unknown> | null;
  readonly giftCertificate: Record<string, unknown> | null;
  readonly mobilePhone: Record<string, unknown> | null;
  readonly transfer: Record<string, unknown> | null;
  readonly virtualAccount: Record<string, unknown> | null;
  readonly cancel: SettlementCancel | null;
  /**
   * Fields Toss sent that we do not model (yet), as JSON text keyed by path (`{"cancels":[…],"card.newField":1}`),
   * or null when there were none. Carried to Kafka and MySQL so nothing is dropped; see settlement-shape.ts.
   */
  readonly unknownFields: string | null;
}

export interface SettlementFee {
  readonly type: string;
  readonly fee: number;
}

export interface SettlementCancel extends Record<string, unknown> {
  readonly cancelAmount: number;
  readonly transactionKey: string;
  readonly canceledAt: string;
}

export const NESTED_OBJECT_FIELDS = ['card', 'easyPay', 'giftCertificate', 'mobilePhone', 'transfer', 'virtualAccount', 'cancel'] as const;

/**
 * What a consumer that writes a row from its record's bytes decodes to check it: the fields that carry rules its Avro
 * types cannot state (validateTypedSettlement reads these and no others) and `unknownFields` (counted by name).
 */
export type SettlementRuleFields = Pick<
  Settlement,
  | 'mId'
  | 'paymentKey'
  | 'transactionKey'
  | 'orderId'
  | 'currency'
  | 'method'
  | 'amount'
  | 'fee'
  | 'supplyAmount'
  | 'vat'
  | 'payOutAmount'
  | 'approvedAt'
  | 'soldDate'
  | 'paidOutDate'
  | 'unknownFields'
> & {
  readonly fees: ReadonlyArray<Pick<SettlementFee, 'type'>> | null;
  readonly cancel: Readonly<Record<string, unknown>> | null;
};

/** A row the processor refused, with the reason and the offending field; never silently dropped. */
export interface RejectedSettlement {
  readonly raw: unknown;
  readonly transactionKey: string | null;
  readonly field: string;
  readonly reason: string;
}

export const isCancelRow = (s: Settlement): boolean => s.cancel !== null;
