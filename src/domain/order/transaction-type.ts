/**
 * How a payment was made. Card is the only kind today; account transfer later is one more class implementing
 * this interface plus one line in transaction-types.ts — the rules ask the object, they never switch on a kind.
 */
export interface TransactionType {
  /** Our stable name for the kind, stored with the payment: CARD, TRANSFER, ... */
  readonly kind: string;
  /** Toss's `method` literal for this kind (Korean, as in the settlements rows), e.g. 카드. */
  readonly tossMethod: string;
  /** Whether Toss accepts a cancelAmount below the balance for this kind. */
  readonly supportsPartialCancel: boolean;
  /** One line for people: "card 4330-****-****-123* (issuer 61), lump sum". */
  describe(): string;
  toSnapshot(): TransactionTypeSnapshot;
}

/** Plain values only, so adapters can store it as JSON without knowing the subtypes. */
export interface TransactionTypeSnapshot {
  readonly kind: string;
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
}
