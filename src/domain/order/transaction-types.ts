import { CardTransaction } from './card-transaction.js';
import { UnsupportedPaymentMethod } from './order-rule-violations.js';
import type { TransactionType, TransactionTypeSnapshot } from './transaction-type.js';

/** Every kind we accept. Adding account transfer = a TransferTransaction class and one entry here. */
interface TransactionKind {
  readonly KIND: string;
  readonly TOSS_METHODS: readonly string[];
  fromDetails(details: Readonly<Record<string, unknown>> | null): TransactionType;
}
const KINDS: readonly TransactionKind[] = [CardTransaction];

/** Rebuild a stored transaction type. */
export function restoreTransactionType(snapshot: TransactionTypeSnapshot): TransactionType {
  const kind = KINDS.find((k) => k.KIND === snapshot.kind);
  if (!kind) throw new UnsupportedPaymentMethod(snapshot.kind);
  return kind.fromDetails(snapshot.details);
}

/** Map Toss's `method` and its method object (the `card` object for cards) to our type; others are refused. */
export function transactionTypeFromToss(method: string | null, details: Readonly<Record<string, unknown>> | null): TransactionType {
  const kind = KINDS.find((k) => method !== null && k.TOSS_METHODS.includes(method));
  if (!kind) throw new UnsupportedPaymentMethod(method ?? '(none)');
  return kind.fromDetails(details);
}

/**
 * Whether Toss's `method` on an approval is one we accept (card only today). A method we do not know, or none at
 * all, is not: such an approval cannot become a payment, and the use case cancels it at Toss instead.
 */
export const isAllowedTossMethod = (method: string | null): boolean => method !== null && KINDS.some((k) => k.TOSS_METHODS.includes(method));
