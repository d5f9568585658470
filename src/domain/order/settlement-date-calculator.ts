/**
 * When Toss is expected to pay out a transaction: the Asia/Seoul date of the instant, rolled forward to a
 * business day, plus N business days (3 by default). A port of the domain so the rules do not depend on how
 * the holiday calendar is built.
 */
export interface SettlementDateCalculator {
  /** `instant` is a Date or an ISO-8601 date-time with offset; returns YYYY-MM-DD. */
  expectedSettlementDate(instant: Date | string): string;
}
