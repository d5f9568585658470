import type { TransactionType, TransactionTypeSnapshot } from './transaction-type.js';

export interface CardDetails {
  readonly issuerCode: string | null;
  readonly acquirerCode: string | null;
  /** Masked by Toss, e.g. 43301234****123*. */
  readonly number: string | null;
  readonly installmentPlanMonths: number;
  readonly approveNo: string | null;
  readonly cardType: string | null;
  readonly ownerType: string | null;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** A card payment (Toss method 카드). */
export class CardTransaction implements TransactionType {
  static readonly KIND = 'CARD';
  static readonly TOSS_METHODS: readonly string[] = ['카드', 'CARD'];
  readonly kind = CardTransaction.KIND;
  readonly tossMethod = '카드';
  readonly supportsPartialCancel = true;

  constructor(readonly card: CardDetails) {}

  /** From Toss's `card` object (or our stored details); unknown or missing fields become null. */
  static fromDetails(details: Readonly<Record<string, unknown>> | null): CardTransaction {
    const d = details ?? {};
    const months = d.installmentPlanMonths;
    return new CardTransaction({
      issuerCode: text(d.issuerCode),
      acquirerCode: text(d.acquirerCode),
      number: text(d.number),
      installmentPlanMonths: typeof months === 'number' && Number.isSafeInteger(months) && months >= 0 ? months : 0,
      approveNo: text(d.approveNo),
      cardType: text(d.cardType),
      ownerType: text(d.ownerType),
    });
  }

  describe(): string {
    const plan = this.card.installmentPlanMonths === 0 ? 'lump sum' : `${this.card.installmentPlanMonths} months`;
    return `card ${this.card.number ?? '(number unknown)'}${this.card.issuerCode ? ` (issuer ${this.card.issuerCode})` : ''}, ${plan}`;
  }

  toSnapshot(): TransactionTypeSnapshot {
    return { kind: this.kind, details: { ...this.card } };
  }
}
