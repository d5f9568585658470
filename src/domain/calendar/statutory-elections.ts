import { LocalDate } from './local-date.js';

/**
 * Election days fixed by the election law (공직선거법 §34), which are public holidays (공휴일에 관한 법률 §2: the
 * polling day of an election held because a term expires). Computed, so a year nobody typed in is still right.
 *
 * The rule, in our words:
 *  ① Each kind of election is held on the first Wednesday on or after a given number of days before the day the
 *    current term expires: 70 days for the President, 50 for the National Assembly, 30 for local governments.
 *  ② When that Wednesday is a public holiday or folk festival day, or the day before or after it is a public
 *    holiday, the election moves to the Wednesday of the following week. The law moves it once; it says nothing
 *    of moving it again, so neither do we.
 *
 * Elections called because an office fell vacant (the 2025-06-03 presidential election, by-elections) are not
 * term-expiry elections: their holiday is designated case by case and lives in the corrections list or the
 * operators' overrides file, not here.
 */

export type ElectionKind = 'presidential' | 'national-assembly' | 'local';

export interface StatutoryElection {
  readonly date: LocalDate;
  readonly name: string;
  readonly kind: ElectionKind;
  /** The last day of the term the election fills (the day the ① count starts from). */
  readonly termExpiry: LocalDate;
}

/** Is this date a public holiday for rule ②? Must not itself depend on election days (that would recurse). */
export type PublicHolidayTest = (date: LocalDate) => boolean;

const WEDNESDAY = 3;

/** Days before the term's expiry from which ① looks for the first Wednesday. */
export const DAYS_BEFORE_EXPIRY: Readonly<Record<ElectionKind, number>> = {
  presidential: 70,
  'national-assembly': 50,
  local: 30,
};

/**
 * The Wednesday rule took this shape in the 2004 amendment; the 2004 National Assembly election (a Thursday) was
 * still held under the old one. Before these years we compute nothing rather than something wrong.
 */
const NATIONAL_ASSEMBLY = { firstExpiryYear: 2008, firstOrdinal: 18, month: 5, day: 29, termYears: 4 } as const;
const LOCAL = { firstExpiryYear: 2006, firstOrdinal: 4, month: 6, day: 30, termYears: 4 } as const;

/**
 * Presidential terms are five years but a vacancy restarts the cycle (an early election, then a fresh five-year
 * term), so the expiries that really ended a term are listed, and the current term's expiry repeats every five
 * years after it. The 18th term (to 2018-02-24) and the 20th (to 2027-05-09) ended early; the 21st president,
 * elected early on 2025-06-03, took office the next day, so the term expires 2030-06-03. When a term ends early
 * again, add the completed expiries here and move CURRENT_PRESIDENTIAL_TERM.
 */
const COMPLETED_PRESIDENTIAL_TERMS: ReadonlyArray<{ readonly expiry: string; readonly ordinal: number }> = [
  { expiry: '2008-02-24', ordinal: 17 },
  { expiry: '2013-02-24', ordinal: 18 },
  { expiry: '2022-05-09', ordinal: 20 },
];
const CURRENT_PRESIDENTIAL_TERM = { expiry: '2030-06-03', ordinal: 22, termYears: 5 } as const;

/** Rules ① and ② for a term expiring on `termExpiry`. */
export function electionDay(kind: ElectionKind, termExpiry: LocalDate, isPublicHoliday: PublicHolidayTest): LocalDate {
  const start = termExpiry.addDays(-DAYS_BEFORE_EXPIRY[kind]);
  const firstWednesday = start.addDays((WEDNESDAY - start.dayOfWeek() + 7) % 7);
  const blocked = isPublicHoliday(firstWednesday) || isPublicHoliday(firstWednesday.addDays(-1)) || isPublicHoliday(firstWednesday.addDays(1));
  return blocked ? firstWednesday.addDays(7) : firstWednesday;
}

/** The term-expiry elections whose polling day falls in `year`, in date order. */
export function statutoryElections(year: number, isPublicHoliday: PublicHolidayTest): StatutoryElection[] {
  const terms: Array<{ kind: ElectionKind; expiry: LocalDate; name: string }> = [];
  // A presidential election can fall in the December before a February expiry, so look one year ahead.
  for (const expiryYear of [year, year + 1]) {
    const na = cycle(NATIONAL_ASSEMBLY, expiryYear);
    if (na !== null)
      terms.push({
        kind: 'national-assembly',
        expiry: LocalDate.of(expiryYear, NATIONAL_ASSEMBLY.month, NATIONAL_ASSEMBLY.day),
        name: `제${na}대 국회의원선거`,
      });
    const local = cycle(LOCAL, expiryYear);
    if (local !== null) terms.push({ kind: 'local', expiry: LocalDate.of(expiryYear, LOCAL.month, LOCAL.day), name: `제${local}회 전국동시지방선거` });
    for (const term of presidentialTermsExpiringIn(expiryYear))
      terms.push({ kind: 'presidential', expiry: term.expiry, name: `제${term.ordinal}대 대통령선거` });
  }
  return terms
    .map((t) => ({ date: electionDay(t.kind, t.expiry, isPublicHoliday), name: t.name, kind: t.kind, termExpiry: t.expiry }))
    .filter((e) => e.date.year === year)
    .sort((a, b) => a.date.compare(b.date));
}

/** The ordinal of the term expiring in `expiryYear` of a fixed cycle, or null when none expires that year. */
function cycle(rule: { firstExpiryYear: number; firstOrdinal: number; termYears: number }, expiryYear: number): number | null {
  const offset = expiryYear - rule.firstExpiryYear;
  return offset >= 0 && offset % rule.termYears === 0 ? rule.firstOrdinal + offset / rule.termYears : null;
}

function presidentialTermsExpiringIn(expiryYear: number): Array<{ expiry: LocalDate; ordinal: number }> {
  const completed = COMPLETED_PRESIDENTIAL_TERMS.map((t) => ({ expiry: LocalDate.parse(t.expiry), ordinal: t.ordinal })).filter(
    (t) => t.expiry.year === expiryYear,
  );
  const current = LocalDate.parse(CURRENT_PRESIDENTIAL_TERM.expiry);
  const terms = cycle(
    { firstExpiryYear: current.year, firstOrdinal: CURRENT_PRESIDENTIAL_TERM.ordinal, termYears: CURRENT_PRESIDENTIAL_TERM.termYears },
    expiryYear,
  );
  // Month and day stay those of the current term's expiry (a term runs whole years).
  return terms === null ? completed : [...completed, { expiry: LocalDate.of(expiryYear, current.month, current.day), ordinal: terms }];
}
