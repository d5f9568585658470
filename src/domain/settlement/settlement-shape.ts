/**
 * The shape of a Toss settlement row as we model it: every field we know, top level and nested, with its kind.
 * The processor validates the nested objects against it (a wrong type is a named reject, not an Avro error
 * later) and carries every field it does NOT know in `unknownFields`, so nothing Toss sends is dropped.
 * schemas/toss-settlement.avsc describes the same fields; a unit test keeps the two equal.
 */
export type Kind = 'string' | 'long' | 'int' | 'boolean';

export type FieldShape = { readonly kind: Kind; readonly nullable: boolean } | { readonly object: ObjectShape; readonly nullable: true };

export type ObjectShape = Readonly<Record<string, FieldShape>>;

const required = (kind: Kind): FieldShape => ({ kind, nullable: false });
const nullable = (kind: Kind): FieldShape => ({ kind, nullable: true });
const object = (shape: ObjectShape): FieldShape => ({ object: shape, nullable: true });

export const CARD: ObjectShape = {
  amount: required('long'),
  issuerCode: required('string'),
  acquirerCode: nullable('string'),
  number: required('string'),
  installmentPlanMonths: required('int'),
  approveNo: required('string'),
  useCardPoint: required('boolean'),
  cardType: required('string'),
  ownerType: required('string'),
  acquireStatus: required('string'),
  isInterestFree: required('boolean'),
  interestPayer: nullable('string'),
  company: nullable('string'),
  receiptUrl: nullable('string'),
};

export const EASY_PAY: ObjectShape = { provider: required('string'), amount: required('long'), discountAmount: required('long') };

export const GIFT_CERTIFICATE: ObjectShape = { approveNo: required('string'), settlementStatus: required('string') };

export const MOBILE_PHONE: ObjectShape = { customerMobilePhone: required('string'), settlementStatus: required('string'), receiptUrl: required('string') };

export const TRANSFER: ObjectShape = { bankCode: required('string'), settlementStatus: required('string') };

export const VIRTUAL_ACCOUNT: ObjectShape = {
  accountType: required('string'),
  accountNumber: required('string'),
  bankCode: required('string'),
  customerName: required('string'),
  dueDate: required('string'),
  refundStatus: required('string'),
  expired: required('boolean'),
  settlementStatus: required('string'),
  refundReceiveAccount: object({ bankCode: required('string'), accountNumber: required('string'), holderName: required('string') }),
};

export const CANCEL: ObjectShape = {
  cancelAmount: required('long'),
  cancelReason: required('string'),
  taxFreeAmount: required('long'),
  taxExemptionAmount: required('long'),
  refundableAmount: required('long'),
  easyPayDiscountAmount: required('long'),
  canceledAt: required('string'),
  transactionKey: required('string'),
  receiptKey: nullable('string'),
  cancelStatus: nullable('string'),
  cancelRequestId: nullable('string'),
};

/** One line of `fees`. */
export const FEE: ObjectShape = { type: required('string'), fee: required('long') };

/** The nested objects by their field name on the row. */
export const NESTED_SHAPES = {
  card: CARD,
  easyPay: EASY_PAY,
  giftCertificate: GIFT_CERTIFICATE,
  mobilePhone: MOBILE_PHONE,
  transfer: TRANSFER,
  virtualAccount: VIRTUAL_ACCOUNT,
  cancel: CANCEL,
} as const satisfies Record<string, ObjectShape>;

/** Top-level fields Toss sends that we model (validated one by one in validate-settlement.ts). */
export const TOP_LEVEL_FIELDS: ReadonlySet<string> = new Set([
  'mId',
  'paymentKey',
  'transactionKey',
  'orderId',
  'currency',
  'method',
  'amount',
  'interestFee',
  'fees',
  'fee',
  'supplyAmount',
  'vat',
  'payOutAmount',
  'approvedAt',
  'soldDate',
  'paidOutDate',
  ...Object.keys(NESTED_SHAPES),
]);

/**
 * Our own field: the JSON text of the fields Toss sent that the shape above does not know, keyed by path
 * (`cancels`, `card.newField`, `fees[0].extra`). It travels in the Avro record and MySQL beside the rest.
 */
export const UNKNOWN_FIELDS = 'unknownFields';

/** The name an unknown field is counted and reported under: its path without array indexes (`fees[].extra`). */
export const unknownFieldName = (path: string): string => path.replace(/\[\d+\]/g, '[]');

/** The counted names of a row's unknown fields (its `unknownFields` text), in the order they were found. */
export function unknownFieldNames(unknownFields: string | null): string[] {
  if (unknownFields === null) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(unknownFields);
  } catch {
    return [UNKNOWN_FIELDS];
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return [UNKNOWN_FIELDS];
  return [...new Set(Object.keys(parsed).map(unknownFieldName))];
}
