/** New order ids: 6-64 characters of [A-Za-z0-9_-], so the same id works as Toss's orderId. */
export interface IdGenerator {
  orderId(): string;
}
