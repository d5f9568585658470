import { inject } from 'vitest';
import { testSecretKey } from '../../support/producer-stack.js';
import { startTossFake, type RecordedRequest } from '../../support/toss-fake.js';
import { Dataset } from './dataset.js';
import { faultStack } from './fault-stack.js';
import { PrivateMariaDb, type PrivateMariaDbInfo } from './private-mariadb.js';
import type { SuiteContext } from './scenario.js';

declare module 'vitest' {
  export interface ProvidedContext {
    faultsMysql: PrivateMariaDbInfo;
  }
}

/**
 * The profile: `full` is the issue's dataset (300,000 rows over 5 sold dates, 5,000-row pages); `reduced`
 * (CI) keeps every scenario with fewer rows and smaller pages, so faults still land mid-run.
 */
export const profile =
  (process.env.FAULTS_PROFILE ?? 'reduced') === 'full' ? { name: 'full', rows: 300_000, pageSize: 5_000 } : { name: 'reduced', rows: 60_000, pageSize: 1_000 };

export async function createSuiteContext(): Promise<SuiteContext & { close(): Promise<void> }> {
  const dataset = new Dataset(profile.rows, '2026-03-02', 5);
  const secretKey = testSecretKey();
  const toss = await startTossFake({ secretKey, source: dataset.tossSource() });
  const auth = `Basic ${Buffer.from(`${secretKey}:`).toString('base64')}`;
  // the requests for a page of the dataset's window (authorized, the window's dates): not a 404, 401 or another window's []
  const ofWindow = (r: RecordedRequest) =>
    r.path === '/v1/settlements' && r.authorization === auth && r.query.startDate === dataset.from && r.query.endDate === dataset.to;
  const pageRequests = () => toss.requests.filter(ofWindow);
  const db = new PrivateMariaDb(inject('faultsMysql'));
  return { dataset, expected: dataset.expected(), toss, pageRequests, db, secretKey, pageSize: profile.pageSize, close: () => toss.close() };
}

export { faultStack };
