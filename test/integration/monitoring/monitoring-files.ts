import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** Paths and contents of deploy/monitoring, shared by the promtool and the Prometheus tests. */
export const MONITORING = fileURLToPath(new URL('../../../deploy/monitoring/', import.meta.url));
export const RULES_DIR = `${MONITORING}rules`;
export const TESTS_DIR = `${MONITORING}tests`;
export const DASHBOARD = `${MONITORING}grafana/settle-dashboard.json`;

export const ruleFiles = (): string[] =>
  readdirSync(RULES_DIR)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => `${RULES_DIR}/${f}`);
export const ruleTestFiles = (): string[] =>
  readdirSync(TESTS_DIR)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => `${TESTS_DIR}/${f}`);

export interface RuleDef {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
}

export function rules(): RuleDef[] {
  return ruleFiles().flatMap((f) => (parse(readFileSync(f, 'utf8')) as { groups: Array<{ rules: RuleDef[] }> }).groups.flatMap((g) => g.rules));
}

interface Panel {
  readonly title?: string;
  readonly targets?: Array<{ expr?: string }>;
  readonly panels?: Panel[];
}

export function dashboardExprs(): Array<{ panel: string; expr: string }> {
  const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] };
  const walk = (ps: Panel[]): Array<{ panel: string; expr: string }> =>
    ps.flatMap((p) => [...(p.targets ?? []).flatMap((t) => (t.expr ? [{ panel: p.title ?? '?', expr: t.expr }] : [])), ...walk(p.panels ?? [])]);
  return walk(dash.panels);
}

/** Grafana's interval variables, replaced by what a 1 s scrape needs. */
export const grafanaToPromQL = (expr: string): string => expr.replaceAll('$__rate_interval', '1m').replaceAll('$__interval', '5s').replaceAll('$__range', '5m');

/**
 * Every vector selector of an expression: a metric name (settle_*, settle:*, process_*, up, the rules' own) with
 * its optional {matchers}. Good enough for the expressions of deploy/monitoring (no string literals containing
 * metric names, no functions named like metrics).
 */
const SELECTOR = /(?<![\w:])((?:settle[_:]|process_)[A-Za-z0-9_:]*|up)(\{[^}]*\})?(?![\w(])/g;

export function selectors(expr: string): Array<{ name: string; matchers: string; text: string }> {
  return [...expr.matchAll(SELECTOR)].map((m) => ({ name: m[1] ?? '', matchers: m[2] ? m[2].slice(1, -1).trim() : '', text: m[0] }));
}

/** The expression with each selector replaced by `replace(selector)`. */
export const mapSelectors = (expr: string, replace: (s: { name: string; matchers: string }) => string): string =>
  expr.replace(SELECTOR, (_text, name: string, braces: string | undefined) => replace({ name, matchers: braces ? braces.slice(1, -1).trim() : '' }));

/** The same selector with extra matchers (e.g. this test's target only). */
export const withMatchers = (s: { name: string; matchers: string }, extra: string): string => `${s.name}{${[s.matchers, extra].filter(Boolean).join(',')}}`;
