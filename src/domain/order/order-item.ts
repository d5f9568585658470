import { isPositiveKrw } from './krw.js';
import { ITEM_TRANSITIONS, ItemStatus } from './item-status.js';
import { InvalidProductId, InvalidQuantity, InvalidUnitPrice } from './order-rule-violations.js';

export interface OrderItemSnapshot {
  readonly productId: string;
  readonly unitPrice: number;
  readonly quantity: number;
  readonly status: ItemStatus;
  /** The cancel request this line belongs to, once one was made (a line is cancelled at most once). */
  readonly cancelRequestSeq: number | null;
}

const PRODUCT_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** One line of an order: one product, its quantity and unit price. Only Order changes its status. */
export class OrderItem {
  private constructor(
    readonly productId: string,
    readonly unitPrice: number,
    readonly quantity: number,
    private currentStatus: ItemStatus,
    private requestSeq: number | null,
  ) {}

  static create(productId: string, unitPrice: number, quantity: number): OrderItem {
    if (!PRODUCT_ID.test(productId)) throw new InvalidProductId(productId);
    if (!Number.isSafeInteger(quantity) || quantity < 1) throw new InvalidQuantity(productId, quantity);
    if (!isPositiveKrw(unitPrice)) throw new InvalidUnitPrice(productId, unitPrice);
    return new OrderItem(productId, unitPrice, quantity, ItemStatus.ORDER_COMPLETED, null);
  }

  static restore(s: OrderItemSnapshot): OrderItem {
    return new OrderItem(s.productId, s.unitPrice, s.quantity, s.status, s.cancelRequestSeq);
  }

  get status(): ItemStatus {
    return this.currentStatus;
  }

  get cancelRequestSeq(): number | null {
    return this.requestSeq;
  }

  /** unitPrice × quantity; may exceed the safe range, which Order checks on the sum. */
  get amount(): number {
    return this.unitPrice * this.quantity;
  }

  get isLive(): boolean {
    return this.currentStatus !== ItemStatus.CANCELED;
  }

  /** Moves along ITEM_TRANSITIONS; callers check the business rule first and throw its named error. */
  moveTo(next: ItemStatus, cancelRequestSeq?: number): void {
    if (!ITEM_TRANSITIONS[this.currentStatus].includes(next)) {
      // unreachable through Order's methods: a programming error, not a business refusal
      throw new Error(`illegal item transition ${this.currentStatus} → ${next} for product ${this.productId}`);
    }
    this.currentStatus = next;
    if (cancelRequestSeq !== undefined) this.requestSeq = cancelRequestSeq;
  }

  toSnapshot(): OrderItemSnapshot {
    return { productId: this.productId, unitPrice: this.unitPrice, quantity: this.quantity, status: this.currentStatus, cancelRequestSeq: this.requestSeq };
  }
}
