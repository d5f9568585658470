import { RuleViolation, SettleError } from '../shared/settle-error.js';

/**
 * The facts the order/payment rules refuse, one class each so callers and tests can name them; the `code` is the
 * stable contract (printed by the CLI, branched on by tests), the message is for people.
 */

export class InvalidOrderId extends RuleViolation {
  constructor(orderId: string) {
    super('ORDER_ID_INVALID', `order id "${orderId}" must be 6-64 characters of A-Z, a-z, 0-9, "_" or "-" (Toss's orderId rule)`, { orderId });
  }
}

export class OrderWithoutItems extends RuleViolation {
  constructor() {
    super('ORDER_WITHOUT_ITEMS', 'an order needs at least one item');
  }
}

export class DuplicateProductLine extends RuleViolation {
  constructor(productId: string) {
    super('ORDER_DUPLICATE_PRODUCT_LINE', `product ${productId} appears on two lines: use one line with a quantity instead`, { productId });
  }
}

export class InvalidProductId extends RuleViolation {
  constructor(productId: string) {
    super('ORDER_PRODUCT_ID_INVALID', `product id "${productId}" must be 1-64 characters of A-Z, a-z, 0-9, ".", "_" or "-"`, { productId });
  }
}

export class InvalidQuantity extends RuleViolation {
  constructor(productId: string, quantity: number) {
    super('ORDER_QUANTITY_INVALID', `quantity of product ${productId} must be a whole number ≥ 1, got ${quantity}`, { productId, quantity });
  }
}

export class InvalidUnitPrice extends RuleViolation {
  constructor(productId: string, unitPrice: number) {
    super('ORDER_UNIT_PRICE_INVALID', `unit price of product ${productId} must be a whole number of KRW > 0, got ${unitPrice}`, { productId, unitPrice });
  }
}

export class OrderTotalTooLarge extends RuleViolation {
  constructor() {
    super('ORDER_TOTAL_TOO_LARGE', 'the order total exceeds the largest exact integer (9,007,199,254,740,991 KRW)');
  }
}

export class UnknownOrderItem extends RuleViolation {
  constructor(orderId: string, productId: string) {
    super('ORDER_ITEM_UNKNOWN', `order ${orderId} has no line for product ${productId}`, { orderId, productId });
  }
}

export class NoItemsSelected extends RuleViolation {
  constructor(orderId: string, action: string) {
    super('ORDER_NO_ITEMS_SELECTED', `no items of order ${orderId} to ${action}`, { orderId, action });
  }
}

export class OrderNotAwaitingPayment extends RuleViolation {
  constructor(orderId: string, status: string) {
    super('ORDER_NOT_AWAITING_PAYMENT', `order ${orderId} is ${status}: payment is only possible in ORDER_COMPLETED`, { orderId, status });
  }
}

export class PaymentAmountMismatch extends RuleViolation {
  constructor(orderId: string, amount: number, total: number) {
    super('PAYMENT_AMOUNT_MISMATCH', `payment of ${amount} KRW for order ${orderId} differs from its total ${total} KRW`, { orderId, amount, total });
  }
}

export class CancelAfterPurchaseConfirmed extends RuleViolation {
  constructor(orderId: string, productId: string) {
    super('CANCEL_AFTER_PURCHASE_CONFIRMED', `item ${productId} of order ${orderId} is purchase-confirmed and cannot be cancelled`, { orderId, productId });
  }
}

export class ItemNotCancelable extends RuleViolation {
  constructor(orderId: string, productId: string, status: string) {
    super('ITEM_NOT_CANCELABLE', `item ${productId} of order ${orderId} is ${status}: only a paid item (PAYMENT_COMPLETED) can be cancelled`, {
      orderId,
      productId,
      status,
    });
  }
}

export class RestockWithoutCancelRequest extends RuleViolation {
  constructor(orderId: string, productId: string, status: string) {
    super('RESTOCK_WITHOUT_CANCEL_REQUEST', `item ${productId} of order ${orderId} is ${status}: only an item with a cancel request can be restocked`, {
      orderId,
      productId,
      status,
    });
  }
}

export class ItemNotConfirmable extends RuleViolation {
  constructor(orderId: string, productId: string, status: string) {
    super('ITEM_NOT_CONFIRMABLE', `item ${productId} of order ${orderId} is ${status}: only a paid item (PAYMENT_COMPLETED) can be purchase-confirmed`, {
      orderId,
      productId,
      status,
    });
  }
}

export class NoOpenCancelRequest extends RuleViolation {
  constructor(orderId: string, seq?: number) {
    super(
      'CANCEL_REQUEST_NOT_OPEN',
      seq === undefined
        ? `order ${orderId} has no cancel request waiting for a payment cancel`
        : `cancel request ${seq} of order ${orderId} does not exist or is already refunded`,
      { orderId, ...(seq === undefined ? {} : { seq }) },
    );
  }
}

export class CancelBeforeRestock extends RuleViolation {
  constructor(orderId: string, productIds: readonly string[]) {
    super('CANCEL_BEFORE_RESTOCK', `order ${orderId}: item(s) ${productIds.join(', ')} are not restocked yet; restock before cancelling the payment`, {
      orderId,
      productIds: [...productIds],
    });
  }
}

export class CancelExceedsBalance extends RuleViolation {
  constructor(paymentKey: string, amount: number, balance: number) {
    super('CANCEL_EXCEEDS_BALANCE', `cancel of ${amount} KRW exceeds the balance ${balance} KRW of payment ${paymentKey}`, { paymentKey, amount, balance });
  }
}

export class FullCancelAmountMismatch extends RuleViolation {
  constructor(paymentKey: string, amount: number, balance: number) {
    super('FULL_CANCEL_AMOUNT_MISMATCH', `a full cancel of payment ${paymentKey} must refund its whole balance ${balance} KRW, not ${amount} KRW`, {
      paymentKey,
      amount,
      balance,
    });
  }
}

export class InvalidCancelAmount extends RuleViolation {
  constructor(amount: number) {
    super('CANCEL_AMOUNT_INVALID', `a cancel amount must be a whole number of KRW > 0, got ${amount}`, { amount });
  }
}

export class UnsupportedPaymentMethod extends RuleViolation {
  constructor(method: string) {
    super('PAYMENT_METHOD_UNSUPPORTED', `payment method "${method}" is not supported (card only)`, { method });
  }
}

/** Toss approved the payment with a method the design does not take (card only); it was cancelled in full at Toss. */
export class PaymentMethodNotAllowed extends RuleViolation {
  constructor(v: { orderId: string; paymentKey: string; method: string | null; voidIdempotencyKey: string }) {
    super(
      'PAYMENT_METHOD_NOT_ALLOWED',
      `Toss approved payment ${v.paymentKey} of order ${v.orderId} with method ${v.method ?? '(none)'}, but only card payments are accepted: it was cancelled in full at Toss (Idempotency-Key ${v.voidIdempotencyKey}) and the order still awaits a card payment`,
      { ...v },
    );
  }
}

export class OrderAlreadyExists extends RuleViolation {
  constructor(orderId: string) {
    super('ORDER_ALREADY_EXISTS', `order ${orderId} already exists`, { orderId });
  }
}

/** Not a rule but a wrong argument: exit 2 like any other bad input. */
export class OrderNotFound extends SettleError {
  constructor(orderId: string) {
    super('ORDER_NOT_FOUND', `order ${orderId} does not exist`, { details: { orderId } });
  }
}

export class PaymentNotFound extends RuleViolation {
  constructor(orderId: string) {
    super('PAYMENT_NOT_FOUND', `order ${orderId} has no payment`, { orderId });
  }
}

export class PartialCancelNotSupported extends RuleViolation {
  constructor(paymentKey: string, kind: string) {
    super('PARTIAL_CANCEL_NOT_SUPPORTED', `payment ${paymentKey} (${kind}) can only be cancelled in full`, { paymentKey, kind });
  }
}

export class InvalidCancelReason extends RuleViolation {
  constructor(length: number) {
    super('CANCEL_REASON_INVALID', `a cancel reason must be 1-200 characters, got ${length}`, { length });
  }
}

export class InvalidPaymentKey extends RuleViolation {
  constructor(paymentKey: string) {
    super('PAYMENT_KEY_INVALID', `paymentKey must be 1-200 visible ASCII characters (as Toss issues them), got ${JSON.stringify(paymentKey.slice(0, 40))}`, {
      length: paymentKey.length,
    });
  }
}
