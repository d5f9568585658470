import { describe, expect, it } from 'vitest';
import { ReconcileWindow } from '../../../src/application/settlement/reconcile-window.js';
import type { PublishingExecution, ReconciliationRecord } from '../../../src/application/settlement/reconciliation-ports.js';
import type { ReconciledRow } from '../../../src/domain/settlement/reconciliation.js';
import { settlementWindow } from '../../../src/domain/settlement/settlement-window.js';
import { reconcileText } from '../../../src/presentation/cli/commands/reconcile-output.js';

const row = (date: string, amount: number): ReconciledRow => ({ date, amount, fee: 100, payOutAmount: amount - 100 });
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const clock = { now: () => new Date('2025-02-12T01:00:00Z') };
const run1: PublishingExecution = { id: 7, kind: 'RUN', status: 'COMPLETED', startedAt: '2025-02-11T00:00:00.000Z' };

function harness(sides: {
  api: Map<string, ReconciledRow>;
  kafka: Map<string, ReconciledRow>;
  mysql: Map<string, ReconciledRow>;
  executions?: PublishingExecution[];
}) {
  const recorded: ReconciliationRecord[] = [];
  const asked: Array<readonly PublishingExecution[]> = [];
  const useCase = new ReconcileWindow({
    api: { rowsOf: () => Promise.resolve({ rows: sides.api, fetched: sides.api.size + 1, rejected: 1 }) },
    executions: { of: () => Promise.resolve(sides.executions ?? [run1]) },
    kafka: {
      publishedBy: (executions) => {
        asked.push(executions);
        return Promise.resolve({ rows: sides.kafka, records: sides.kafka.size });
      },
    },
    store: { rowsOf: () => Promise.resolve(sides.mysql) },
    reconciliations: {
      record: (r) => {
        recorded.push(r);
        return Promise.resolve(42);
      },
    },
    clock,
    log: quiet,
  });
  return { useCase, recorded, asked };
}

const window = settlementWindow('2025-02-09', '2025-02-10');

describe('ReconcileWindow', () => {
  it('compares the records of the publishing executions and records the result', async () => {
    const api = new Map([['t1', row('2025-02-09', 1000)]]);
    const h = harness({ api, kafka: new Map(api), mysql: new Map() });
    const report = await h.useCase.run(window);
    expect(h.asked).toEqual([[run1]]);
    expect(report).toMatchObject({ runId: 42, api: { rejected: 1 }, result: { status: 'MISMATCH', mysqlDiff: { missing: ['t1'] } } });
    expect(h.recorded[0]).toMatchObject({ executionIds: [7], apiRejected: 1, result: { status: 'MISMATCH' } });
  });

  it('ignores rows of a larger overlapping window that fall outside this one', async () => {
    const api = new Map([['t1', row('2025-02-09', 1000)]]);
    const kafka = new Map([...api, ['t0', row('2025-02-08', 5)], ['t9', row('2025-02-11', 5)]]);
    const report = await harness({ api, kafka, mysql: new Map(api) }).useCase.run(window);
    expect(report.result.status).toBe('OK');
  });
});

describe('reconcile output', () => {
  it('lists at most 20 keys per side and kind unless --all', async () => {
    const api = new Map(Array.from({ length: 25 }, (_, i) => [`t${String(i).padStart(2, '0')}`, row('2025-02-09', 1000)] as const));
    const report = await harness({ api, kafka: new Map(api), mysql: new Map() }).useCase.run(window);
    const bounded = reconcileText(report, false);
    expect(bounded).toContain('missing from MySQL (25):');
    expect(bounded.filter((l) => /^ {2}t\d\d$/.test(l))).toHaveLength(20);
    expect(bounded).toContain('  … 5 more (--all lists every key)');
    expect(reconcileText(report, true).filter((l) => /^ {2}t\d\d$/.test(l))).toHaveLength(25);
    expect(bounded.join('\n')).toContain('1 row(s) Toss sent are refused by the processor');
  });
});
