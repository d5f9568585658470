import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ruleFiles, rules, ruleTestFiles } from './monitoring-files.js';

// promtool comes with Debian's prometheus package (bash scripts/stack.sh setup prometheus installs it when missing).
const promtool = (args: string[]) => {
  const r = spawnSync('promtool', args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`promtool could not run (${r.error.message}): bash scripts/stack.sh setup prometheus installs it`);
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
};

describe('deploy/monitoring rules, with promtool', () => {
  it('promtool check rules: every rule file is valid', () => {
    const r = promtool(['check', 'rules', ...ruleFiles()]);
    expect(r.output).toContain('SUCCESS');
    expect(r.code, r.output).toBe(0);
  });

  it('promtool test rules: the unit tests of deploy/monitoring/tests pass', () => {
    const r = promtool(['test', 'rules', ...ruleTestFiles()]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS');
  });

  it('every alert has a unit test that expects it to fire, and one that expects it not to', () => {
    const alerts = rules().flatMap((r) => (r.alert ? [r.alert] : []));
    expect(alerts.length).toBeGreaterThanOrEqual(14);
    const firing = new Set<string>();
    const quiet = new Set<string>();
    for (const file of ruleTestFiles()) {
      const doc = parse(readFileSync(file, 'utf8')) as { tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }> };
      for (const t of doc.tests) for (const a of t.alert_rule_test ?? []) ((a.exp_alerts ?? []).length > 0 ? firing : quiet).add(a.alertname);
    }
    expect(alerts.filter((a) => !firing.has(a))).toEqual([]);
    expect(alerts.filter((a) => !quiet.has(a))).toEqual([]);
  });
});
