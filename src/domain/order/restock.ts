/** A record that the goods of a cancelled line came back to stock: the precondition of refunding it. */
export interface Restock {
  readonly productId: string;
  readonly quantity: number;
  readonly restockedAt: string;
}
