import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { todayInSeoul } from '../../domain/calendar/local-date.js';
import { isSettleError } from '../../domain/shared/settle-error.js';
import { TossSettlementsClient } from '../toss/toss-settlements-client.js';
import { TossHttpError } from '../toss/toss-http-error.js';
import { displayUrl, failed, passed, type CheckResult } from './health-check.js';

const NAME = 'toss';

/**
 * One real `GET /v1/settlements` (yesterday, size 1) through the production client with no retries: proves the
 * base URL answers and the secret key is accepted. Nothing is written anywhere.
 */
export async function checkToss(toss: Config['toss'], logger: Logger, timeoutMs = 5_000, now = new Date()): Promise<CheckResult> {
  const client = new TossSettlementsClient({ baseUrl: toss.baseUrl, secretKey: toss.secretKey, timeoutMs, maxRetries: 0, connections: 1, logger });
  const url = displayUrl(toss.baseUrl);
  const yesterday = todayInSeoul(now).addDays(-1).toString();
  try {
    const rows = await client.fetchPage({ from: yesterday, to: yesterday, dateType: 'soldDate' }, 1, 1, AbortSignal.timeout(timeoutMs));
    return passed(NAME, `${url} accepted the secret key (GET /v1/settlements for ${yesterday}: ${rows.length} row(s) on a 1-row page)`);
  } catch (error) {
    return tossFailure(error, url, timeoutMs);
  } finally {
    await client.close().catch(() => undefined);
  }
}

function tossFailure(error: unknown, url: string, timeoutMs: number): CheckResult {
  if (error instanceof TossHttpError) {
    const status = Number(error.details.status);
    if (status === 401 || status === 403)
      return failed(
        NAME,
        `Toss rejected the secret key (${String(error.details.tossCode ?? 'UNAUTHORIZED_KEY')}): HTTP ${status} from ${url}`,
        'check TOSS_SECRET_KEY is a live/test secret key for this merchant',
      );
    if (error.retriable) return failed(NAME, `${url} is unavailable: ${error.message}`, 'Toss is overloaded or down: retry later', true);
    return failed(NAME, `${url} refused the request: ${error.message}`, 'check TOSS_API_BASE_URL (--toss-base-url) points at the Toss API');
  }
  if (isSettleError(error) && error.retriable)
    return failed(
      NAME,
      `${url} did not answer within ${Math.round(timeoutMs / 1000)} s (${error.code})`,
      'check TOSS_API_BASE_URL (--toss-base-url), DNS and the egress firewall; retry if Toss is down',
      true,
    );
  return failed(NAME, `${url}: ${(error as Error).message ?? String(error)}`, 'check TOSS_API_BASE_URL (--toss-base-url)');
}
