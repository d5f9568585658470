import { SETTLEMENT_RULE_FIELDS } from '../../src/domain/settlement/validate-settlement.js';

/**
 * A settlement, or what a decoder read of one, cut to SETTLEMENT_RULE_FIELDS (nested members cut to theirs) as plain
 * data: for comparing a rule-field read with its definition.
 */
export function ruleView(s: object): Record<string, unknown> {
  const row = s as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const { field, members } of SETTLEMENT_RULE_FIELDS) {
    const v = row[field];
    const pick = (o: Record<string, unknown>) => Object.fromEntries((members ?? []).map((m) => [m, o[m]]));
    out[field] =
      members === undefined || v === null ? v : Array.isArray(v) ? v.map((o) => pick(o as Record<string, unknown>)) : pick(v as Record<string, unknown>);
  }
  return out;
}
